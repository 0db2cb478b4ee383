package org.sippush.launcher;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminConsoleGuardTest {

    @ParameterizedTest(name = "http.address={0}, admin.password=''{1}''")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1 | change-me",
            "localhost | change-me",
            "::1       | change-me",
            "127.0.0.2 | ''",
            "0.0.0.0   | s3cret-of-my-own",
            "::        | s3cret-of-my-own",
            "192.0.2.10 | s3cret-of-my-own"})
    void starts(String address, String password) {
        assertDoesNotThrow(() -> AdminConsoleGuard.check(address, password));
    }

    @ParameterizedTest(name = "http.address={0}, admin.password=''{1}''")
    @CsvSource(delimiter = '|', value = {
            "0.0.0.0    | change-me",
            "::         | change-me",
            "192.0.2.10 | change-me",
            "0.0.0.0    | ''",
            "0.0.0.0    | '  change-me '"})
    void refusesTheShippedOrAnEmptyPasswordOffLoopback(String address, String password) {
        StartupRefused refused = assertThrows(StartupRefused.class, () -> AdminConsoleGuard.check(address, password));

        String message = refused.getMessage();
        assertTrue(message.contains("admin.password") && message.contains("SIPPUSH_ADMIN_PASSWORD"), message);
        assertTrue(message.contains(address), message);
        assertTrue(!message.contains("\n"), "one line: " + message);
    }
}
