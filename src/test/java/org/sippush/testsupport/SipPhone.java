package org.sippush.testsupport;

import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A SIP user agent for tests on a real JAIN-SIP stack (the NIST reference implementation), bound
 * to 127.0.0.1 (or another loopback address) on a free high port for both UDP and TCP, and
 * optionally ({@link #start(String, Tls)}) on a second free port for TLS. Requests are written as
 * SIP text, parsed by the stack and sent through client transactions; responses and incoming
 * requests are waited for with timeouts, never with sleeps.
 */
public final class SipPhone implements SipListener, AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final String name;
    private final SipStack stack;
    private final SipProvider provider;
    private final MessageFactory messages;
    private final int port;
    private final String host;
    /** The TLS listening port, 0 without TLS. */
    private final int tlsPort;
    private final Map<ClientTransaction, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
    private final Map<ClientTransaction, List<Response>> provisional = new ConcurrentHashMap<>();
    private final BlockingQueue<RequestEvent> requests = new LinkedBlockingQueue<>();
    private final Map<Request, ServerTransaction> serverTransactions = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private final String toTag = Long.toHexString(System.nanoTime());
    private final AtomicLong cseq = new AtomicLong();
    private volatile String callId = UUID.randomUUID().toString();

    /**
     * The TLS side of a phone: its own certificate and key (a keystore; it presents them when the
     * server connects to its TLS port) and the certificates it trusts (a truststore: the server's
     * certificate or its CA). Both PKCS12.
     */
    public record Tls(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {
    }

    private SipPhone(String name, String host, int port, Tls tls) throws Exception {
        this.name = name;
        this.host = host;
        this.port = port > 0 ? port : FreePorts.udpAndTcp();
        this.tlsPort = tls == null ? 0 : FreePorts.tcp();
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties props = new Properties();
        props.setProperty("javax.sip.STACK_NAME", "test-" + name + "-" + host + "-" + this.port);
        props.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        props.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        props.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        props.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        props.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        if (tls != null) {
            props.setProperty("javax.net.ssl.keyStore", tls.keystore().toString());
            props.setProperty("javax.net.ssl.keyStorePassword", tls.keystorePassword());
            props.setProperty("javax.net.ssl.keyStoreType", "PKCS12");
            props.setProperty("javax.net.ssl.trustStore", tls.truststore().toString());
            props.setProperty("javax.net.ssl.trustStorePassword", tls.truststorePassword());
            props.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
            props.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3, TLSv1.2");
            props.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES",
                    "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
            props.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        }
        this.stack = factory.createSipStack(props);
        this.messages = factory.createMessageFactory();
        ListeningPoint udp = stack.createListeningPoint(host, this.port, "udp");
        ListeningPoint tcp = stack.createListeningPoint(host, this.port, "tcp");
        this.provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        if (tls != null) {
            provider.addListeningPoint(stack.createListeningPoint(host, tlsPort, "tls"));
        }
        provider.addSipListener(this);
        stack.start();
    }

    public static SipPhone start(String name) {
        return start(name, "127.0.0.1");
    }

    /** A phone that also listens for TLS (on {@link #tlsPort()}) and speaks TLS to the server. */
    public static SipPhone start(String name, Tls tls) {
        try {
            return new SipPhone(name, "127.0.0.1", 0, tls);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start test phone " + name, e);
        }
    }

    /** A phone on another loopback address (127.0.0.2, ...): another source for the server. */
    public static SipPhone start(String name, String loopbackAddress) {
        return start(name, loopbackAddress, 0);
    }

    /** A phone on a given port: one that comes back at the address it had before (0: a free port). */
    public static SipPhone start(String name, String loopbackAddress, int port) {
        if (!loopbackAddress.startsWith("127.")) {
            throw new IllegalArgumentException("test phones stay on loopback: " + loopbackAddress);
        }
        try {
            return new SipPhone(name, loopbackAddress, port, null);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start test phone " + name, e);
        }
    }

    /** The UDP and TCP port. */
    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    /** The TLS port; 0 for a phone without TLS. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The port this phone receives {@code transport} on: {@link #tlsPort()} for TLS, else {@link #port()}. */
    public int port(String transport) {
        if (!transport.equalsIgnoreCase("tls")) {
            return port;
        }
        if (tlsPort == 0) {
            throw new IllegalStateException(name + " has no TLS listening point");
        }
        return tlsPort;
    }

    public String callId() {
        return callId;
    }

    /** A new Call-ID, as a phone that restarted would use. */
    public void restart() {
        callId = UUID.randomUUID().toString();
    }

    public long nextCseq() {
        return cseq.incrementAndGet();
    }

    /** Starts a REGISTER of {@code aor} to the server at 127.0.0.1:{@code serverPort}. */
    public Registration register(String aor, int serverPort, String transport) {
        return new Registration(aor, serverPort, transport);
    }

    /** Parses SIP text into a request (the stack checks its syntax). */
    public Request parse(String text) {
        try {
            return messages.createRequest(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException("Test request does not parse: " + e.getMessage() + "\n" + text, e);
        }
    }

    /** Sends a request in a new client transaction and returns its final response. */
    public Response send(Request request) {
        return sendAsync(request).join();
    }

    public Sent sendAsync(Request request) {
        try {
            ClientTransaction tx = provider.getNewClientTransaction(request);
            CompletableFuture<Response> result = new CompletableFuture<>();
            pending.put(tx, result);
            provisional.put(tx, new ArrayList<>());
            tx.sendRequest();
            return new Sent(tx, result);
        } catch (Exception e) {
            throw new IllegalStateException(name + " cannot send " + request.getMethod(), e);
        }
    }

    /** Waits for the next request the server sends to this phone. */
    public RequestEvent awaitRequest(Duration timeout) {
        try {
            RequestEvent event = requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError(name + " received no request within " + timeout);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next request if one arrives within {@code timeout}, else null. */
    public RequestEvent pollRequest(Duration timeout) throws InterruptedException {
        return requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the next request of {@code method}, passing over others (CANCEL, ACK retransmissions...). */
    public RequestEvent awaitRequest(String method, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            RequestEvent event;
            try {
                event = left <= 0 ? null : requests.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (event == null) {
                throw new AssertionError(name + " received no " + method + " within " + timeout);
            }
            if (event.getRequest().getMethod().equals(method)) {
                return event;
            }
            answerIfNeeded(event);
        }
    }

    /** CANCEL and BYE that a test does not wait for still get their 200, as a real phone would. */
    private void answerIfNeeded(RequestEvent event) {
        String method = event.getRequest().getMethod();
        if (method.equals("CANCEL") || method.equals("BYE")) {
            respond(event, 200);
        }
    }

    /** Answers a request received with {@link #awaitRequest}; 1xx-6xx above 100 carry this phone's To tag. */
    public void respond(RequestEvent event, int status, String... headers) {
        try {
            ServerTransaction tx = event.getServerTransaction();
            if (tx == null) {
                tx = serverTransactions.get(event.getRequest());
            }
            if (tx == null) {
                tx = provider.getNewServerTransaction(event.getRequest());
                serverTransactions.put(event.getRequest(), tx);
            }
            Response response = messages.createResponse(status, event.getRequest());
            javax.sip.header.ToHeader to = (javax.sip.header.ToHeader) response.getHeader(javax.sip.header.ToHeader.NAME);
            if (status > 100 && to.getTag() == null && !event.getRequest().getMethod().equals("CANCEL")) {
                to.setTag(toTag);
            }
            for (String header : headers) {
                response.addHeader(SipFactory.getInstance().createHeaderFactory().createHeader(
                        header.substring(0, header.indexOf(':')).trim(), header.substring(header.indexOf(':') + 1).trim()));
            }
            tx.sendResponse(response);
        } catch (Exception e) {
            throw new IllegalStateException(name + " cannot answer " + status, e);
        }
    }

    public SipProvider provider() {
        return provider;
    }

    public MessageFactory messages() {
        return messages;
    }

    @Override
    public void processRequest(RequestEvent event) {
        requests.add(event);
    }

    @Override
    public void processResponse(ResponseEvent event) {
        ClientTransaction tx = event.getClientTransaction();
        if (tx == null) {
            return;
        }
        Response response = event.getResponse();
        if (response.getStatusCode() < 200) {
            List<Response> list = provisional.get(tx);
            if (list != null) {
                list.add(response);
            }
            return;
        }
        CompletableFuture<Response> result = pending.remove(tx);
        if (result != null) {
            result.complete(response);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        ClientTransaction tx = event.getClientTransaction();
        CompletableFuture<Response> result = tx == null ? null : pending.remove(tx);
        if (result != null) {
            result.completeExceptionally(new TimeoutException(name + ": transaction timed out"));
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    @Override
    public void close() {
        try {
            stack.stop();
        } catch (RuntimeException e) {
            // the stack is going away either way
        }
    }

    /** Sends an INVITE from {@code caller} to {@code callee} through the server at 127.0.0.1:{@code serverPort}. */
    public Sent invite(String caller, String callee, int serverPort, String transport) {
        String t = transport.toUpperCase();
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
        int local = port(transport);
        String text = "INVITE " + callee + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + t + " " + host + ":" + local + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + "\r\n"
                + "Route: <sip:127.0.0.1:" + serverPort + ";lr;transport=" + transport.toLowerCase() + ">\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"Alice Caller\" <" + caller + ">;tag=" + Long.toHexString(System.nanoTime()) + "\r\n"
                + "To: <" + callee + ">\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:caller@" + host + ":" + local + ";transport=" + transport.toLowerCase() + ">\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
        return sendAsync(parse(text));
    }

    /**
     * The request again as a phone re-sends it after a 401/407 challenge (RFC 3261 §22.2): same
     * Call-ID, From tag and To, CSeq one higher, a new Via branch, with {@code header: value} added.
     */
    public Sent resend(Request original, String header, String value) {
        try {
            Request again = (Request) original.clone();
            javax.sip.header.CSeqHeader cseqHeader = (javax.sip.header.CSeqHeader) again.getHeader("CSeq");
            cseqHeader.setSeqNumber(cseqHeader.getSeqNumber() + 1);
            ((javax.sip.header.ViaHeader) again.getHeader("Via")).setBranch(
                    "z9hG4bK" + UUID.randomUUID().toString().replace("-", ""));
            again.addHeader(SipFactory.getInstance().createHeaderFactory().createHeader(header, value));
            return sendAsync(again);
        } catch (ParseException | javax.sip.PeerUnavailableException | javax.sip.InvalidArgumentException e) {
            throw new IllegalStateException(name + " cannot re-send " + original.getMethod(), e);
        }
    }

    /** ACK for a 2xx: to the callee's Contact, along the record-routed path. */
    public void ack(Response ok) {
        try {
            provider.sendRequest(inDialog(ok, "ACK", ((javax.sip.header.CSeqHeader) ok.getHeader("CSeq")).getSeqNumber()));
        } catch (Exception e) {
            throw new IllegalStateException(name + " cannot ACK", e);
        }
    }

    /** BYE in the dialog a 2xx established. */
    public Sent bye(Response ok) {
        return sendAsync(inDialog(ok, "BYE", ((javax.sip.header.CSeqHeader) ok.getHeader("CSeq")).getSeqNumber() + 1));
    }

    /** CANCEL of an INVITE in flight; returns the CANCEL's own final response. */
    public Response cancel(Sent invite) {
        try {
            Request cancel = invite.transaction().createCancel();
            return send(cancel);
        } catch (Exception e) {
            throw new IllegalStateException(name + " cannot CANCEL", e);
        }
    }

    private Request inDialog(Response ok, String method, long cseqNumber) {
        javax.sip.header.ContactHeader contact = (javax.sip.header.ContactHeader) ok.getHeader("Contact");
        StringBuilder text = new StringBuilder();
        String transport = ((javax.sip.header.ViaHeader) ok.getHeader("Via")).getTransport();
        text.append(method).append(' ').append(contact.getAddress().getURI()).append(" SIP/2.0\r\n");
        text.append("Via: SIP/2.0/").append(transport).append(" ").append(host).append(":").append(port(transport)).append(";branch=z9hG4bK")
                .append(UUID.randomUUID().toString().replace("-", "")).append("\r\n");
        List<String> routes = new ArrayList<>();
        for (java.util.ListIterator<?> it = ok.getHeaders("Record-Route"); it.hasNext(); ) {
            routes.add(0, ((javax.sip.header.RecordRouteHeader) it.next()).getAddress().toString());
        }
        for (String route : routes) {
            text.append("Route: ").append(route).append("\r\n");
        }
        text.append("Max-Forwards: 70\r\n");
        text.append("From: ").append(ok.getHeader("From").toString().substring(6).trim()).append("\r\n");
        text.append("To: ").append(ok.getHeader("To").toString().substring(4).trim()).append("\r\n");
        text.append("Call-ID: ").append(((javax.sip.header.CallIdHeader) ok.getHeader("Call-ID")).getCallId()).append("\r\n");
        text.append("CSeq: ").append(cseqNumber).append(' ').append(method).append("\r\n");
        text.append("Content-Length: 0\r\n\r\n");
        return parse(text.toString());
    }

    /** A request in flight. */
    public final class Sent {
        private final ClientTransaction tx;
        private final CompletableFuture<Response> result;

        Sent(ClientTransaction tx, CompletableFuture<Response> result) {
            this.tx = tx;
            this.result = result;
        }

        public ClientTransaction transaction() {
            return tx;
        }

        public Response join() {
            return join(TIMEOUT);
        }

        public Response join(Duration timeout) {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(name + ": no final response within " + timeout);
            } catch (ExecutionException e) {
                throw new AssertionError(name + ": " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        public List<Response> provisionals() {
            return List.copyOf(provisional.getOrDefault(tx, List.of()));
        }

        /** Whether the final response (or the transaction's failure) is there. */
        public boolean isDone() {
            return result.isDone();
        }
    }

    /** A REGISTER under construction, sent like a phone sends it. */
    public final class Registration {
        private final String aor;
        private final int serverPort;
        private final String transport;
        private final List<String> contacts = new ArrayList<>();
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private Long cseqOverride;
        private String viaSentBy;

        Registration(String aor, int serverPort, String transport) {
            this.aor = aor;
            this.serverPort = serverPort;
            this.transport = transport.toUpperCase();
        }

        /** A Contact header value; {@code {port}} and {@code {transport}} are filled in. */
        public Registration contact(String value) {
            contacts.add(value.replace("{port}", Integer.toString(port(transport))).replace("{transport}", transport.toLowerCase()));
            return this;
        }

        /** The usual contact of this phone, with extra URI parameters (e.g. pn-*) and header parameters. */
        public Registration contactHere(String uriParams, String headerParams) {
            String user = aor.substring(aor.indexOf(':') + 1, aor.indexOf('@'));
            return contact("<sip:" + user + "@" + host + ":{port};transport={transport}" + uriParams + ">" + headerParams);
        }

        public Registration header(String name, String value) {
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        public Registration expires(long seconds) {
            return header("Expires", Long.toString(seconds));
        }

        /**
         * The Via's sent-by as a phone behind NAT writes it (its private address, e.g.
         * {@code 127.0.0.2:1;rport}): the server answers where the packets came from (RFC 3581).
         */
        public Registration via(String sentByAndParams) {
            viaSentBy = sentByAndParams;
            return this;
        }

        public Registration cseq(long value) {
            cseqOverride = value;
            return this;
        }

        public String text() {
            long n = cseqOverride != null ? cseqOverride : nextCseq();
            StringBuilder sip = new StringBuilder();
            sip.append("REGISTER sip:127.0.0.1:").append(serverPort).append(";transport=").append(transport.toLowerCase())
                    .append(" SIP/2.0\r\n");
            sip.append("Via: SIP/2.0/").append(transport).append(" ").append(viaSentBy != null ? viaSentBy
                    : host + ":" + port(transport))
                    .append(";branch=z9hG4bK").append(UUID.randomUUID().toString().replace("-", "")).append("\r\n");
            sip.append("Max-Forwards: 70\r\n");
            sip.append("From: <").append(aor).append(">;tag=").append(Long.toHexString(System.nanoTime())).append("\r\n");
            sip.append("To: <").append(aor).append(">\r\n");
            sip.append("Call-ID: ").append(callId).append("\r\n");
            sip.append("CSeq: ").append(n).append(" REGISTER\r\n");
            for (String contact : contacts) {
                sip.append("Contact: ").append(contact).append("\r\n");
            }
            headers.forEach((name, values) -> values.forEach(v -> sip.append(name).append(": ").append(v).append("\r\n")));
            sip.append("User-Agent: sippush-test/").append(name).append("\r\n");
            sip.append("Content-Length: 0\r\n\r\n");
            return sip.toString();
        }

        public Response send() {
            return SipPhone.this.send(parse(text()));
        }

        /**
         * Sends it; a 401 is answered once more with credentials for {@code user} (SHA-256 when
         * offered), as a phone with a configured account does.
         */
        public Response sendAuthenticated(String user, String password) {
            Response first = send();
            if (first.getStatusCode() != 401) {
                return first;
            }
            List<String> offers = new ArrayList<>();
            first.getHeaders("WWW-Authenticate").forEachRemaining(h -> offers.add(h.toString().substring(h.toString().indexOf(':') + 1).trim()));
            String offer = offers.stream().filter(o -> o.contains("SHA-256")).findFirst().orElse(offers.get(0));
            header("Authorization", DigestAnswer.answer(offer, "REGISTER",
                    "sip:127.0.0.1:" + serverPort + ";transport=" + transport.toLowerCase(), user, password, 1));
            return send();
        }
    }
}
