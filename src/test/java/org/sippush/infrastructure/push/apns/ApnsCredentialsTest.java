package org.sippush.infrastructure.push.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class ApnsCredentialsTest {

    private static final Path P8 = MockApns.fixture("signing-key.p8");
    private static final Path P12 = MockApns.fixture("client.p12");

    @Test
    void aSigningKeyWithTeamAndKeyIdIsTokenAuthentication() {
        ApnsCredentials credentials = ApnsCredentials.of(P8, "TEAMID1234", "KEYID56789", null, null);

        assertEquals(new ApnsCredentials.SigningKey(P8, "TEAMID1234", "KEYID56789"), credentials);
    }

    @Test
    void aP12FileIsCertificateAuthentication() {
        ApnsCredentials credentials = ApnsCredentials.of(null, null, null, P12, "secret");

        ApnsCredentials.Certificate certificate = assertInstanceOf(ApnsCredentials.Certificate.class, credentials);
        assertEquals(P12, certificate.p12File());
        assertEquals("secret", certificate.password());
        assertFalse(certificate.toString().contains("secret"), "the password stays out of logs");
    }

    @Test
    void bothIsAConflict() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApnsCredentials.of(P8, "TEAMID1234", "KEYID56789", P12, "secret"));

        assertEquals("an APNs app needs either a .p8 signing key or a .p12 certificate, not both", e.getMessage());
    }

    @Test
    void neitherIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApnsCredentials.of(null, null, null, null, null));

        assertTrue(e.getMessage().startsWith("an APNs app needs either a .p8 signing key"), e.getMessage());
    }

    @Test
    void aSigningKeyNeedsItsTeamAndKeyId() {
        assertEquals("a .p8 signing key needs the team id", assertThrows(IllegalArgumentException.class,
                () -> ApnsCredentials.signingKey(P8, " ", "KEYID56789")).getMessage());
        assertEquals("a .p8 signing key needs the key id", assertThrows(IllegalArgumentException.class,
                () -> ApnsCredentials.signingKey(P8, "TEAMID1234", null)).getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = Path.of("/nonexistent/AuthKey.p8");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApnsCredentials.signingKey(missing, "TEAMID1234", "KEYID56789"));

        assertEquals("the APNs .p8 signing key file /nonexistent/AuthKey.p8 is not a readable file", e.getMessage());
    }

    @Test
    void aCertificateWithoutPasswordHasAnEmptyOne() {
        assertEquals("", ((ApnsCredentials.Certificate) ApnsCredentials.certificate(P12, null)).password());
    }
}
