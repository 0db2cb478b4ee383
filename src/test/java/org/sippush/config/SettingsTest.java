package org.sippush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sippush.config.Settings.Resolved;
import org.sippush.config.Settings.Source;

/** Where each setting comes from, how variables map to keys, and what is refused. */
class SettingsTest {

    @TempDir
    Path dir;

    private Settings load(Map<String, String> env, String... properties) {
        Properties system = new Properties();
        system.setProperty("catalina.base", dir.toString());
        for (int i = 0; i < properties.length; i += 2) {
            system.setProperty(properties[i], properties[i + 1]);
        }
        return Settings.load(env, system);
    }

    private void file(String text) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf").resolve(Settings.FILE_NAME), text);
    }

    private static Resolved resolved(Settings settings, String key) {
        return settings.resolved().stream().filter(r -> r.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " not listed: " + settings));
    }

    @Test
    void environmentThenPropertyThenFileThenDefault() throws IOException {
        file("sip.port=45070\nhttp.port=48070\npush.wait=20\n");

        Settings settings = load(Map.of("SIPPUSH_SIP_PORT", "45090"),
                "sippush.sip.port", "45080", "sippush.http.port", "48080");

        assertEquals(List.of(), settings.problems());
        assertEquals("45090", settings.get("sip.port"));
        assertEquals(Source.ENVIRONMENT, resolved(settings, "sip.port").source());
        assertEquals("SIPPUSH_SIP_PORT", resolved(settings, "sip.port").origin());
        assertEquals("48080", settings.get("http.port"));
        assertEquals(Source.PROPERTY, resolved(settings, "http.port").source());
        assertEquals("-Dsippush.http.port", resolved(settings, "http.port").origin());
        assertEquals("20", settings.get("push.wait"));
        assertEquals(Source.FILE, resolved(settings, "push.wait").source());
        assertEquals("10", settings.get("limits.contacts-per-aor"));
        assertEquals(Source.DEFAULT, resolved(settings, "limits.contacts-per-aor").source());
    }

    @Test
    void everyCatalogueKeyIsListedOnceWithItsSource() {
        Settings settings = load(Map.of("SIPPUSH_PUSH_APPS", "phone,droid"));

        List<String> keys = settings.resolved().stream().map(Resolved::key).toList();
        assertEquals(SettingCatalogue.global().size() + 2 * SettingCatalogue.perApp().size(), keys.size(), keys.toString());
        assertEquals(keys.size(), keys.stream().distinct().count(), keys.toString());
        assertTrue(keys.contains("push.app.droid.fcm.service-account"), keys.toString());
        assertTrue(settings.toString().contains("push.apps=phone,droid (environment SIPPUSH_PUSH_APPS)"), settings.toString());
        assertTrue(settings.toString().contains("push.app.phone.id= (not set)"), settings.toString());
        assertTrue(settings.toString().contains("sip.port=5060 (default)"), settings.toString());
    }

    @Test
    void aPushAppFromVariablesAlone() {
        Settings settings = load(Map.of(
                "SIPPUSH_PUSH_APPS", "phone",
                "SIPPUSH_PUSH_APP_PHONE_ID", "com.example.phone",
                "SIPPUSH_PUSH_APP_PHONE_APNS_KEY_FILE", "/etc/sippush/key.p8",
                "SIPPUSH_PUSH_APP_PHONE_APNS_TEAM_ID", "TEAMID1234",
                "SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID", "KEYID56789",
                "SIPPUSH_PUSH_APP_PHONE_APNS_CERT_PASSWORD", "p12-secret",
                "SIPPUSH_PUSH_APNS_PORT", "8443"));

        assertEquals(List.of(), settings.problems());
        assertEquals(List.of("phone"), settings.getList("push.apps"));
        assertEquals("com.example.phone", settings.get("push.app.phone.id"));
        assertEquals("/etc/sippush/key.p8", settings.get("push.app.phone.apns.key-file"));
        assertEquals("TEAMID1234", settings.get("push.app.phone.apns.team-id"));
        assertEquals("KEYID56789", settings.get("push.app.phone.apns.key-id"));
        assertEquals(8443, settings.getInt("push.apns.port", 443));
        assertEquals("p12-secret", settings.get("push.app.phone.apns.cert-password"));
        assertFalse(settings.toString().contains("p12-secret"), settings.toString());
    }

    @ParameterizedTest(name = "{1} with push.apps={0}")
    @CsvSource(textBlock = """
            phone,          SIPPUSH_PUSH_APP_PHONE_ID,                 push.app.phone.id
            phone,          SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID,        push.app.phone.apns.key-id
            phone,          SIPPUSH_PUSH_APP_PHONE_APNS_TEAM_ID,       push.app.phone.apns.team-id
            phone,          SIPPUSH_PUSH_APP_PHONE_PUSH_GRACE_MS,      push.app.phone.push-grace-ms
            my-phone,       SIPPUSH_PUSH_APP_MY_PHONE_APNS_KEY_ID,     push.app.my-phone.apns.key-id
            my_phone,       SIPPUSH_PUSH_APP_MY_PHONE_ID,              push.app.my_phone.id
            Phone,          SIPPUSH_PUSH_APP_PHONE_FCM_PROJECT_ID,     push.app.Phone.fcm.project-id
            phone_apns_key, SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID,        push.app.phone_apns_key.id
            app-id,         SIPPUSH_PUSH_APP_APP_ID_ID,                push.app.app-id.id
            """)
    void perAppVariablesMapToTheKeyOfAListedApp(String app, String variable, String key) {
        Settings settings = load(Map.of("SIPPUSH_PUSH_APPS", app, variable, "v"));

        assertEquals(List.of(), settings.problems());
        assertEquals("v", settings.get(key));
        assertEquals(variable, resolved(settings, key).origin());
    }

    @Test
    void aVariableThatTwoKeysShareIsRefusedAsAmbiguous() {
        Settings settings = load(Map.of("SIPPUSH_PUSH_APPS", "phone,phone_apns_key",
                "SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID", "v"));

        assertEquals(1, settings.problems().size(), settings.problems().toString());
        String problem = settings.problems().get(0);
        assertTrue(problem.startsWith("SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID is ambiguous"), problem);
        assertTrue(problem.contains("push.app.phone.apns.key-id") && problem.contains("push.app.phone_apns_key.id"), problem);
    }

    @Test
    void appsWhoseVariablesCollideAreRefusedOnlyWhenAVariableIsUsed() {
        assertEquals(List.of(), load(Map.of("SIPPUSH_PUSH_APPS", "my-phone,my_phone")).problems());
        assertEquals(1, load(Map.of("SIPPUSH_PUSH_APPS", "my-phone,my_phone", "SIPPUSH_PUSH_APP_MY_PHONE_ID", "x"))
                .problems().size());
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            SIPPUSH_PUSH_WAITT,                  SIPPUSH_PUSH_WAITT names no setting
            SIPPUSH_SIP_PORTS,                   SIPPUSH_SIP_PORTS names no setting
            SIPPUSH_PUSH_APP_DROID_ID,           'SIPPUSH_PUSH_APP_DROID_ID names no setting (per-app variables are SIPPUSH_PUSH_APP_<NAME>_<SUFFIX> for an app of push.apps: phone'
            SIPPUSH_PUSH_APP_PHONE_APNS_TOPIC,   SIPPUSH_PUSH_APP_PHONE_APNS_TOPIC names no setting
            SIPPUSH_PUSH_APP_PHONE_APNS_KEY_FIL, SIPPUSH_PUSH_APP_PHONE_APNS_KEY_FIL names no setting
            sippush.push.waitt,                  -Dsippush.push.waitt names no setting
            sippush.push.app.droid.id,           -Dsippush.push.app.droid.id names no setting (per-app keys are push.app.<name>.<
            """)
    void aNameThatNamesNoSettingIsAProblemThatNamesIt(String name, String expected) {
        Settings settings = name.startsWith("SIPPUSH_")
                ? load(Map.of("SIPPUSH_PUSH_APPS", "phone", name, "x"))
                : load(Map.of("SIPPUSH_PUSH_APPS", "phone"), name, "x");

        assertEquals(1, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).startsWith(expected), settings.problems().get(0));
    }

    @Test
    void anUnknownKeyInTheFileIsAProblemThatNamesItAndTheFile() throws IOException {
        file("sip.port=45070\nsip.prot=45080\n");

        Settings settings = load(Map.of());

        assertEquals(List.of("sip.prot in " + dir.resolve("conf").resolve(Settings.FILE_NAME) + " names no setting"),
                settings.problems());
    }

    @Test
    void theSettingsFileVariableAndPropertyAreNotSettings() throws IOException {
        Path other = dir.resolve("other.properties");
        Files.writeString(other, "push.wait=12\n");

        Settings settings = load(Map.of("SIPPUSH_CONFIG", other.toString()), "sippush.config", "/nowhere");

        assertEquals(List.of(), settings.problems());
        assertEquals("12", settings.get("push.wait"));
        assertEquals(other, settings.file().orElseThrow());
    }

    @Test
    void theSettingsFilePropertyNamesAnotherFile() throws IOException {
        file("push.wait=20\n");
        Path other = dir.resolve("other.properties");
        Files.writeString(other, "push.wait=12\n");

        Settings settings = load(Map.of(), "sippush.config", other.toString());

        assertEquals(List.of(), settings.problems());
        assertEquals("12", settings.get("push.wait"));
        assertEquals(Source.FILE, resolved(settings, "push.wait").source());
    }

    @Test
    void anAppListedTwiceIsOneApp() {
        Settings settings = load(Map.of("SIPPUSH_PUSH_APPS", "phone, phone", "SIPPUSH_PUSH_APP_PHONE_ID", "x"));

        assertEquals(List.of(), settings.problems());
        assertEquals("x", settings.get("push.app.phone.id"));
    }

    @Test
    void anAppNameWithADotIsRefused() {
        Settings settings = load(Map.of("SIPPUSH_PUSH_APPS", "com.example"));

        assertEquals(List.of("push.apps: app name 'com.example' may hold only letters, digits, '-' and '_'"),
                settings.problems());
    }

    @Test
    void secretsAreMaskedAndPathsShown() {
        Settings settings = load(Map.of(
                "SIPPUSH_ADMIN_PASSWORD", "admin-secret-1",
                "SIPPUSH_DB_PASSWORD", "db-secret-2",
                "SIPPUSH_DB_URL", "jdbc:postgresql://db/sippush?user=x&password=url-secret-3",
                "SIPPUSH_AUTH_NONCE_SECRET", "nonce-secret-4",
                "SIPPUSH_SIP_TLS_KEYSTORE_PASSWORD", "tls-secret-5",
                "SIPPUSH_PUSH_WEBHOOK_URL", "https://relay:hook-secret-6@push.example.net/in",
                "SIPPUSH_PUSH_APPS", "droid",
                "SIPPUSH_PUSH_APP_DROID_FCM_SERVICE_ACCOUNT", "/etc/sippush/droid-firebase.json"));

        String shown = settings.toString();
        for (String secret : List.of("admin-secret-1", "db-secret-2", "url-secret-3", "nonce-secret-4", "tls-secret-5",
                "hook-secret-6")) {
            assertFalse(shown.contains(secret), secret + " in\n" + shown);
        }
        assertTrue(shown.contains("admin.password=**** (environment SIPPUSH_ADMIN_PASSWORD)"), shown);
        assertTrue(shown.contains("db.url=jdbc:postgresql://db/sippush?user=x&password=**** "), shown);
        assertTrue(shown.contains("push.webhook.url=https://relay:****@push.example.net/in "), shown);
        assertTrue(shown.contains("push.app.droid.fcm.service-account=/etc/sippush/droid-firebase.json "), shown);
        assertTrue(shown.contains("sip.tls.truststore-password= (not set)"), "an unset secret shows as unset: " + shown);
    }

    @Test
    void catalinaBaseIsExpanded() {
        Settings settings = load(Map.of());

        assertEquals("jdbc:h2:file:" + dir + "/data/sippush;DB_CLOSE_ON_EXIT=FALSE", settings.get("db.url"));
    }

    @Test
    void keysWithoutDefaultAreAbsentUntilSet() {
        Settings settings = load(Map.of("SIPPUSH_PUSH_APPS", "phone"));

        assertFalse(settings.asMap().containsKey("push.app.phone.id"));
        assertEquals("fallback", settings.get("push.app.phone.id", "fallback"));
        assertEquals(443, settings.getInt("push.apns.port", 1));
    }
}
