package org.sippush.interfaces.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.sippush.application.Services;
import org.sippush.application.auth.Subscribers;
import org.sippush.domain.subscriber.Subscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning API of subscribers, behind the container's login (web.xml, role
 * {@code sippush-admin}):
 * <pre>
 * PUT    /api/subscribers/{user}@{domain}   {"password": "..."}   201 created, 204 changed
 * GET    /api/subscribers/{user}@{domain}   the subscriber without its hashes, or 404
 * DELETE /api/subscribers/{user}@{domain}   204, its bindings gone too; 404 if there was none
 * GET    /api/subscribers?domain={domain}   the domain's subscribers, by user
 * </pre>
 * Refusals answer {@code {"error": "..."}} saying what was wrong: 400 for bad input, 405 for a
 * method the resource does not have, 415 for a PUT that is not JSON. The password goes straight to
 * {@link Subscribers}, which keeps only its hashes; it is never logged nor repeated.
 */
public class SubscriberApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberApiServlet.class);

    /** Largest request body read, in bytes: a password is at most 256 characters. */
    static final int MAX_BODY = 4096;
    private static final List<String> COLLECTION_METHODS = List.of("GET", "HEAD");
    private static final List<String> ITEM_METHODS = List.of("GET", "HEAD", "PUT", "DELETE");
    private static final String PASSWORD = "password";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        List<String> allowed = isCollection(request) ? COLLECTION_METHODS : ITEM_METHODS;
        try {
            if (!allowed.contains(request.getMethod())) {
                response.setHeader("Allow", String.join(", ", allowed));
                throw new Refused(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                        request.getMethod() + " is not allowed here; allowed: " + String.join(", ", allowed));
            }
            super.service(request, response);
        } catch (Refused refused) {
            answer(response, refused.status, SubscriberJson.error(refused.getMessage()));
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (isCollection(request)) {
            String domain = request.getParameter("domain");
            if (domain == null || domain.isEmpty()) {
                throw new Refused(HttpServletResponse.SC_BAD_REQUEST,
                        "the query parameter domain is required: /api/subscribers?domain=example.com");
            }
            List<Subscriber> listed = validated(() -> subscribers().list(domain));
            answer(response, HttpServletResponse.SC_OK, SubscriberJson.of(listed));
            return;
        }
        Address address = address(request);
        Subscriber subscriber = validated(() -> subscribers().get(address.user(), address.domain()))
                .orElseThrow(() -> noSuch(address));
        answer(response, HttpServletResponse.SC_OK, SubscriberJson.of(subscriber));
    }

    @Override
    protected void doPut(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Address address = address(request);
        requireJson(request);
        Map<String, String> fields;
        try {
            fields = JsonObjectReader.read(body(request));
        } catch (JsonObjectReader.MalformedJsonException e) {
            throw new Refused(HttpServletResponse.SC_BAD_REQUEST, "malformed JSON: " + e.getMessage());
        }
        for (String field : fields.keySet()) {
            if (!field.equals(PASSWORD)) {
                throw new Refused(HttpServletResponse.SC_BAD_REQUEST,
                        "unknown field \"" + field + "\": the body holds only \"" + PASSWORD + "\"");
            }
        }
        String password = fields.get(PASSWORD);
        if (password == null) {
            throw new Refused(HttpServletResponse.SC_BAD_REQUEST,
                    "the field \"" + PASSWORD + "\" is required: {\"" + PASSWORD + "\": \"...\"}");
        }
        Subscribers subscribers = subscribers();
        boolean created = validated(() -> subscribers.put(address.user(), address.domain(), password));
        LOG.info("subscriber {} {}", address.aor(), created ? "created" : "changed");
        if (!created) {
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        Subscriber subscriber = subscribers.get(address.user(), address.domain()).orElseThrow(() -> noSuch(address));
        response.setHeader("Location", request.getRequestURL().toString());
        answer(response, HttpServletResponse.SC_CREATED, SubscriberJson.of(subscriber));
    }

    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) {
        Address address = address(request);
        if (!validated(() -> subscribers().delete(address.user(), address.domain()))) {
            throw noSuch(address);
        }
        LOG.info("subscriber {} removed", address.aor());
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    /** {@code /api/subscribers} (or with a trailing slash), as opposed to one subscriber under it. */
    private static boolean isCollection(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path == null || path.equals("/");
    }

    /** {@code user@domain} after {@code /api/subscribers/}; the parts are checked by {@link Subscribers}. */
    private static Address address(HttpServletRequest request) {
        String path = request.getPathInfo().substring(1);
        int at = path.lastIndexOf('@');
        if (at <= 0 || at == path.length() - 1) {
            throw new Refused(HttpServletResponse.SC_BAD_REQUEST,
                    "expected /api/subscribers/{user}@{domain}, not /api/subscribers/" + path);
        }
        return new Address(path.substring(0, at), path.substring(at + 1));
    }

    /** {@code application/json}, in UTF-8 if a charset is given at all (RFC 8259 §8.1). */
    private static void requireJson(HttpServletRequest request) {
        String type = request.getContentType();
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new Refused(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json" + (type == null ? "" : ", not " + type));
        }
        String charset = request.getCharacterEncoding();
        if (charset != null && !charset.equalsIgnoreCase("UTF-8")) {
            throw new Refused(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "JSON must be UTF-8, not " + charset);
        }
    }

    /** The body as UTF-8 text, if it is at most {@link #MAX_BODY} bytes of valid UTF-8. */
    private static String body(HttpServletRequest request) throws IOException {
        String tooLarge = "the body is larger than " + MAX_BODY + " bytes";
        if (request.getContentLength() > MAX_BODY) {
            throw new Refused(HttpServletResponse.SC_BAD_REQUEST, tooLarge);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try (InputStream in = request.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
                if (bytes.size() > MAX_BODY) {
                    throw new Refused(HttpServletResponse.SC_BAD_REQUEST, tooLarge);
                }
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(HttpServletResponse.SC_BAD_REQUEST, "the body is not valid UTF-8");
        }
    }

    private Subscribers subscribers() {
        Services services = (Services) getServletContext().getAttribute(Services.ATTRIBUTE);
        if (services == null) {
            throw new Refused(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the application is not running");
        }
        return services.security().subscribers();
    }

    /** Runs a use case; its IllegalArgumentException (a user, domain or password it refuses) is a 400. */
    private static <T> T validated(Supplier<T> useCase) {
        try {
            return useCase.get();
        } catch (IllegalArgumentException e) {
            throw new Refused(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
        }
    }

    private static Refused noSuch(Address address) {
        return new Refused(HttpServletResponse.SC_NOT_FOUND, "no subscriber " + address.aor());
    }

    private static void answer(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json + "\n");
    }

    /** The address-of-record a request names, as given (not yet checked). */
    private record Address(String user, String domain) {
        String aor() {
            return Subscriber.aor(user, domain);
        }
    }

    /** A request refused with this status and reason (shown to the client as {@code {"error": reason}}). */
    private static final class Refused extends RuntimeException {

        private static final long serialVersionUID = 1L;
        private final int status;

        Refused(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }
}
