package org.sippush.interfaces.web;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.servlet.ServletContext;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipURI;

/**
 * Whether the container's SIP connectors listen: each interface the container announces to the
 * application ({@link SipServlet#OUTBOUND_INTERFACES}) is tried on loopback terms: a TCP or TLS port
 * must accept a connection, a UDP port must be taken (binding it fails).
 */
final class SipListening {

    private static final int CONNECT_TIMEOUT_MS = 500;

    /** One connector and whether it listens. */
    record Connector(String transport, String address, int port, boolean listening) {
    }

    private SipListening() {
    }

    static List<Connector> check(ServletContext context) {
        List<Connector> connectors = new ArrayList<>();
        Object interfaces = context.getAttribute(SipServlet.OUTBOUND_INTERFACES);
        if (!(interfaces instanceof List<?> list)) {
            return connectors;
        }
        for (Object item : list) {
            if (item instanceof SipURI uri) {
                String transport = uri.getTransportParam() == null ? "udp" : uri.getTransportParam().toLowerCase(Locale.ROOT);
                int port = uri.getPort() < 0 ? 5060 : uri.getPort();
                connectors.add(new Connector(transport, uri.getHost(), port, listens(transport, uri.getHost(), port)));
            }
        }
        return connectors;
    }

    private static boolean listens(String transport, String host, int port) {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if ("udp".equals(transport)) {
            try (DatagramSocket probe = new DatagramSocket(address)) {
                return false;  // nobody holds the port
            } catch (BindException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        try (Socket probe = new Socket()) {
            probe.connect(address, CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
