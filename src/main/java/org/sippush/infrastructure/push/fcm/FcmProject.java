package org.sippush.infrastructure.push.fcm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * One Firebase project the server sends through, and the apps whose phones it wakes.
 *
 * @param projectId          the Firebase project id ({@code POST /v1/projects/<projectId>/messages:send});
 *                           it is always served as an app id too, because RFC 8599 phones send it as
 *                           their {@code pn-param}
 * @param appIds             further app ids routed to this project: the Android package names PortSIP and
 *                           Linphone phones send (may be empty)
 * @param serviceAccountJson the service-account key file downloaded from the Firebase console
 */
public record FcmProject(String projectId, Set<String> appIds, Path serviceAccountJson) {

    public FcmProject {
        Objects.requireNonNull(projectId, "FCM project id must not be null");
        Objects.requireNonNull(serviceAccountJson, "service-account file of FCM project " + projectId + " must not be null");
        if (projectId.isBlank() || !projectId.equals(projectId.trim()) || projectId.contains("/")) {
            throw new IllegalArgumentException("FCM project id must be a Firebase project id, not '" + projectId + "'");
        }
        appIds = appIds == null ? Set.of() : Set.copyOf(appIds);
        for (String appId : appIds) {
            if (appId.isBlank()) {
                throw new IllegalArgumentException("FCM project " + projectId + ": an app id must not be empty");
            }
        }
    }

    /** A project serving its own id and {@code appIds} (Android package names). */
    public static FcmProject of(String projectId, Path serviceAccountJson, String... appIds) {
        return new FcmProject(projectId, Set.of(appIds), serviceAccountJson);
    }

    /** Whether pushes for {@code appId} (a package name, or the project id itself) go through this project. */
    public boolean serves(String appId) {
        return projectId.equals(appId) || appIds.contains(appId);
    }
}
