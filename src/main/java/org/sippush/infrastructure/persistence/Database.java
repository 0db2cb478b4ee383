package org.sippush.infrastructure.persistence;

import java.util.Objects;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.cfg.SchemaToolingSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.sippush.domain.binding.Binding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import jakarta.persistence.EntityManagerFactory;

/**
 * The database: a connection pool on the configured JDBC URL (H2 or PostgreSQL), the schema
 * migrated by Flyway ({@code db/migration}), and a JPA {@link EntityManagerFactory} (Hibernate)
 * that validates its mapping against that schema.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final EntityManagerFactory entityManagerFactory;

    private Database(HikariDataSource dataSource, EntityManagerFactory entityManagerFactory) {
        this.dataSource = dataSource;
        this.entityManagerFactory = entityManagerFactory;
    }

    public static Database open(String url, String user, String password, int poolSize) {
        Objects.requireNonNull(url, "JDBC URL must not be null");
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("sippush-db");
        pool.setJdbcUrl(tuned(url));
        // Inside a web application DriverManager does not see drivers of WEB-INF/lib: name the class.
        pool.setDriverClassName(driverFor(url));
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(poolSize);
        pool.setAutoCommit(false);
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            migrate(dataSource);
            EntityManagerFactory emf = new HibernatePersistenceConfiguration("sippush")
                    .managedClasses(Binding.class, SipUserRow.class, SubscriberRow.class, MessageRow.class)
                    .property(JdbcSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource)
                    .property(SchemaToolingSettings.HBM2DDL_AUTO, "validate")
                    .property("hibernate.jdbc.batch_size", 50)
                    .property("hibernate.order_updates", true)
                    .createEntityManagerFactory();
            return new Database(dataSource, emf);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** H2 statements cached per connection: the application uses more than H2's default of 8. */
    static final int H2_QUERY_CACHE_SIZE = 64;

    /**
     * The URL the pool connects with: an H2 URL gets a statement cache large enough for
     * every statement of the application ({@code QUERY_CACHE_SIZE}, unless the URL sets it);
     * with H2's 8 each connection parsed most statements again on every use.
     */
    static String tuned(String url) {
        if (url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains(";QUERY_CACHE_SIZE=")) {
            return url + ";QUERY_CACHE_SIZE=" + H2_QUERY_CACHE_SIZE;
        }
        return url;
    }

    static String driverFor(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        throw new IllegalArgumentException("Unsupported database URL (H2 and PostgreSQL are supported): "
                + url.replaceAll("(?i)(password=)[^;&]*", "$1****"));
    }

    private static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
        var result = flyway.migrate();
        LOG.info("Database schema at version {} ({} migration(s) applied now)",
                flyway.info().current().getVersion(), result.migrationsExecuted);
    }

    public EntityManagerFactory entityManagerFactory() {
        return entityManagerFactory;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        try {
            entityManagerFactory.close();
            if (dataSource.getJdbcUrl().startsWith("jdbc:h2:")) {
                shutdownH2();
            }
        } finally {
            dataSource.close();
        }
    }

    /** Closes the embedded database now, with its threads (file lock watchdog, AUTO_SERVER listener). */
    private void shutdownH2() {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
        } catch (java.sql.SQLException e) {
            LOG.warn("H2 did not shut down cleanly", e);
        }
    }
}
