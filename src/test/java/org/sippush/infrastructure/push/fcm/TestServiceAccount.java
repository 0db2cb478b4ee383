package org.sippush.infrastructure.push.fcm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.google.gson.JsonObject;

/**
 * A throwaway Google service account: a fresh RSA key and the JSON file the Firebase console would
 * download, with the real token URI (the gateway's endpoint override sends it to the loopback peer).
 */
public record TestServiceAccount(String projectId, String clientEmail, Path file, PublicKey publicKey) {

    static final String TOKEN_URI = "https://oauth2.googleapis.com/token";

    /** RSA keys take up to seconds to generate: one per project id and JVM. */
    private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestServiceAccount create(Path dir, String projectId) {
        try {
            KeyPair keys = KEYS.computeIfAbsent(projectId, p -> newKeyPair());
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            String clientEmail = "sippush@" + projectId + ".iam.gserviceaccount.com";
            JsonObject json = new JsonObject();
            json.addProperty("type", "service_account");
            json.addProperty("project_id", projectId);
            json.addProperty("private_key_id", "test-key-" + projectId);
            json.addProperty("private_key", pem);
            json.addProperty("client_email", clientEmail);
            json.addProperty("client_id", "100000000000000000001");
            json.addProperty("auth_uri", "https://accounts.google.com/o/oauth2/auth");
            json.addProperty("token_uri", TOKEN_URI);
            Path file = dir.resolve(projectId + "-firebase-adminsdk.json");
            Files.writeString(file, json.toString());
            return new TestServiceAccount(projectId, clientEmail, file, keys.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
