package org.sippush.infrastructure.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The URL the pool connects with, and that H2 takes it. */
class DatabaseUrlTest {

    @Test
    void embeddedH2CachesEveryStatementOfTheApplication() throws Exception {
        assertEquals("jdbc:h2:file:/srv/sippush;DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=64",
                Database.tuned("jdbc:h2:file:/srv/sippush;DB_CLOSE_ON_EXIT=FALSE"));
        String url = "jdbc:h2:mem:tuned-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Database database = Database.open(url, "sa", "", 2);
             var connection = database.dataSource().getConnection();
             var statement = connection.createStatement();
             var result = statement.executeQuery(
                     "select setting_value from information_schema.settings where setting_name = 'QUERY_CACHE_SIZE'")) {
            result.next();
            assertEquals("64", result.getString(1));
        }
    }

    @Test
    void anOperatorsOwnSettingAndOtherDatabasesAreLeftAlone() {
        assertEquals("jdbc:h2:mem:x;query_cache_size=0", Database.tuned("jdbc:h2:mem:x;query_cache_size=0"));
        assertEquals("jdbc:postgresql://127.0.0.1:5432/sippush", Database.tuned("jdbc:postgresql://127.0.0.1:5432/sippush"));
    }
}
