package org.sippush.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads the message tables directly over JDBC: what the database really holds for a user. */
public final class MessageRows {

    private final String url;
    private final String user;
    private final String password;

    public MessageRows(String url, String user, String password) {
        try {
            Class.forName(url.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Messages stored for {@code aor} (delivered to no device or not to every one yet). */
    public int messages(String aor) {
        return count("select count(*) from stored_message where aor = ?", aor);
    }

    /** Deliveries still owed to devices of {@code aor}. */
    public int deliveries(String aor) {
        return count("select count(*) from message_delivery d join stored_message m on m.id = d.message_id"
                + " where m.aor = ?", aor);
    }

    private int count(String sql, String aor) {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, aor);
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the message tables at " + url, e);
        }
    }
}
