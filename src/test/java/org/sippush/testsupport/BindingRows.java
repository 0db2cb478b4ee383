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
}
