package org.sippush.testsupport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free high ports (20000-60000) on 127.0.0.1 for tests.
 *
 * <p>Ports are picked at random and checked by actually binding them; where the kernel's ephemeral
 * range ({@code /proc/sys/net/ipv4/ip_local_port_range}) is known, ports outside it are preferred so
 * an outgoing connection is unlikely to grab the port between this check and its use. A port is
 * never handed out twice in one JVM.
 */
public final class FreePorts {

    private static final int MIN = 20000;
    private static final int MAX = 60000;
    private static final int ATTEMPTS = 2000;
    private static final InetAddress LOOPBACK = loopback();
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port (>= 20000) on which a TCP socket can be bound on 127.0.0.1 right now. */
    public static int tcp() {
        return find(false);
    }

    /** A port (>= 20000) that is free on 127.0.0.1 for both UDP and TCP (SIP listens on both). */
    public static int udpAndTcp() {
        return find(true);
    }

    private static int find(boolean udpToo) {
        int[] ephemeral = ephemeralRange();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = MIN + random.nextInt(MAX - MIN + 1);
            boolean preferOutsideEphemeral = attempt < ATTEMPTS / 2 && ephemeral != null
                    && (ephemeral[0] > MIN || ephemeral[1] < MAX);
            if (preferOutsideEphemeral && port >= ephemeral[0] && port <= ephemeral[1]) {
                continue;
            }
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            if (tcpFree(port) && (!udpToo || udpFree(port)) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free " + (udpToo ? "UDP+TCP" : "TCP")
                + " port found on 127.0.0.1 in " + MIN + "-" + MAX);
    }

    private static boolean tcpFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean udpFree(int port) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {low, high} of the Linux ephemeral port range, or null if unknown. */
    private static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim().split("\\s+");
            int low = Integer.parseInt(parts[0]);
            int high = Integer.parseInt(parts[1]);
            return low <= high ? new int[] {low, high} : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
