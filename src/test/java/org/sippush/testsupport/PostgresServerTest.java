package org.sippush.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void startsStoresAndReadsRowsThenStopsAndFreesThePort() throws Exception {
        long t0 = System.nanoTime();
        PostgresServer pg = PostgresServer.start();
        long startMs = (System.nanoTime() - t0) / 1_000_000;
        int port = pg.port();
        Path dir = pg.directory();
        long stopMs;
        try {
            assertTrue(port >= 20000, "port " + port);
            assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/sippush", pg.jdbcUrl());
            assertFalse(portIsFree(port), "postgres should be listening on " + port);
            assertTrue(Files.isDirectory(dir));

            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 Statement st = c.createStatement()) {
                assertEquals("sippush", single(st, "SELECT current_database()"));
                assertEquals("test", single(st, "SELECT current_user"));
                assertEquals("127.0.0.1", single(st, "SHOW listen_addresses"));
                assertEquals("off", single(st, "SHOW fsync"));
                assertEquals("50", single(st, "SHOW max_connections"));

                st.execute("CREATE TABLE binding (id SERIAL PRIMARY KEY, aor TEXT NOT NULL,"
                        + " token TEXT NOT NULL)");
                try (PreparedStatement insert =
                             c.prepareStatement("INSERT INTO binding (aor, token) VALUES (?, ?)")) {
                    for (String[] row : new String[][] {
                            {"sip:alice@example.org", "apns-1"}, {"sip:bob@example.org", "fcm-2"}}) {
                        insert.setString(1, row[0]);
                        insert.setString(2, row[1]);
                        assertEquals(1, insert.executeUpdate());
                    }
                }
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT aor, token FROM binding ORDER BY id")) {
                    while (rs.next()) {
                        rows.add(rs.getString(1) + "=" + rs.getString(2));
                    }
                }
                assertEquals(List.of("sip:alice@example.org=apns-1", "sip:bob@example.org=fcm-2"),
                        rows);
            }
        } finally {
            long t1 = System.nanoTime();
            pg.close();
            stopMs = (System.nanoTime() - t1) / 1_000_000;
        }
        System.out.println("PostgresServer: start " + startMs + " ms, stop " + stopMs + " ms");

        assertTrue(portIsFree(port), "port " + port + " should be free after close()");
        assertFalse(Files.exists(dir), dir + " should be deleted");
        pg.close(); // idempotent
    }

    @Test
    void sharedServerIsStartedOnceAndUsable() throws Exception {
        PostgresServer shared = PostgresServer.shared();
        assertSame(shared, PostgresServer.shared());
        try (Connection c = DriverManager.getConnection(shared.jdbcUrl(), shared.user(),
                shared.password());
             Statement st = c.createStatement()) {
            assertEquals("1", single(st, "SELECT 1"));
        }
        // not closed here: the JVM shutdown hook stops it
    }

    @Test
    void freePortsAreBindableForUdpAndTcp() throws Exception {
        int port = FreePorts.udpAndTcp();
        assertTrue(port >= 20000 && port <= 60000, "port " + port);
        try (ServerSocket tcp = new ServerSocket();
             DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            udp.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
        int tcpOnly = FreePorts.tcp();
        assertTrue(tcpOnly >= 20000 && tcpOnly != port, "port " + tcpOnly);
    }

    private static String single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
