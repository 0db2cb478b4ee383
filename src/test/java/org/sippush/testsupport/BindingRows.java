package org.sippush.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads the binding table directly over JDBC: what the database really holds. */
public final class BindingRows {

    private final String url;
    private final String user;
    private final String password;

    public BindingRows(String url, String user, String password) {
        try {
            // DriverManager may have been initialised under another class loader (the container's)
            Class.forName(url.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** One row of the binding table. */
    public record Row(String aor, String contactUri, String instanceId, String callId, long cseq, long expiresAt,
                      String pushProvider, String pushToken, String pushMessageToken, String pushAppId,
                      String pushParam, boolean callPush, boolean messagePush) {
    }

    public List<Row> of(String aor) {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement q = c.prepareStatement(
                     "select aor, contact_uri, instance_id, call_id, cseq, expires_at, push_provider, push_token,"
                             + " push_message_token, push_app_id, push_param, call_push, message_push"
                             + " from binding where aor = ? order by id")) {
            q.setString(1, aor);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getBoolean(12), rs.getBoolean(13)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read bindings from " + url, e);
        }
    }

    /**
     * Creates or replaces a subscriber row as provisioning would: HA1 = H(user:realm:password),
     * computed here from RFC 7616, for MD5 and SHA-256.
     */
    public void putSubscriber(String user, String domain, String realm, String password) {
        String aor = "sip:" + user + "@" + domain;
        try (Connection c = DriverManager.getConnection(url, this.user, this.password)) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("delete from subscriber where aor = ?");
                 PreparedStatement insert = c.prepareStatement("insert into subscriber (aor, username, domain, realm,"
                         + " ha1_md5, ha1_sha256, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
                delete.setString(1, aor);
                delete.executeUpdate();
                String secret = user + ":" + realm + ":" + password;
                insert.setString(1, aor);
                insert.setString(2, user);
                insert.setString(3, domain);
                insert.setString(4, realm);
                insert.setString(5, hex("MD5", secret));
                insert.setString(6, hex("SHA-256", secret));
                insert.setLong(7, System.currentTimeMillis());
                insert.setLong(8, System.currentTimeMillis());
                insert.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write subscriber to " + url, e);
        }
    }

    private static String hex(String algorithm, String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
