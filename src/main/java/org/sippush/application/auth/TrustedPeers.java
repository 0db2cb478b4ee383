package org.sippush.application.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Addresses and networks whose INVITEs and MESSAGEs are accepted without a challenge (a PBX or
 * SBC that sends calls in): {@code 127.0.0.2}, {@code 192.0.2.0/24}, {@code 2001:db8::/32}.
 * Only literal addresses: a host name would make every request wait on DNS.
 */
public final class TrustedPeers {

    private record Network(byte[] address, int prefix) {
        boolean contains(byte[] other) {
            if (other.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (other[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (other[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Network> networks;
    private final String text;

    private TrustedPeers(List<Network> networks, String text) {
        this.networks = List.copyOf(networks);
        this.text = text;
    }

    public static TrustedPeers none() {
        return new TrustedPeers(List.of(), "none");
    }

    /**
     * Parses a list of addresses and networks (CIDR).
     *
     * @throws IllegalArgumentException naming the entry that is wrong
     */
    public static TrustedPeers parse(List<String> entries) {
        List<Network> networks = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            String host = slash < 0 ? e : e.substring(0, slash);
            if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                throw new IllegalArgumentException("trusted peer '" + e + "' is not an IP address or network");
            }
            byte[] address;
            try {
                address = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException ex) {
                throw new IllegalArgumentException("trusted peer '" + e + "' is not an IP address or network", ex);
            }
            int prefix = address.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("trusted peer '" + e + "' has no valid prefix length", ex);
                }
                if (prefix < 0 || prefix > address.length * 8) {
                    throw new IllegalArgumentException("trusted peer '" + e + "' has no valid prefix length");
                }
            }
            networks.add(new Network(address, prefix));
        }
        return new TrustedPeers(networks, networks.isEmpty() ? "none" : String.join(", ", entries));
    }

    /** Whether a request from this source address (a literal IP) is trusted. */
    public boolean trusts(String sourceAddress) {
        if (networks.isEmpty() || sourceAddress == null) {
            return false;
        }
        byte[] address;
        try {
            address = InetAddress.getByName(sourceAddress.replace("[", "").replace("]", "")).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        for (Network network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
