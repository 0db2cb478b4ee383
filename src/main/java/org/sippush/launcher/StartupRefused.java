package org.sippush.launcher;

/**
 * A setting that the server will not start with. The message is one line that names the setting
 * (and its environment variable) and says what to change; the launcher prints it and exits with
 * {@link #EXIT_STATUS} before Tomcat binds anything.
 */
final class StartupRefused extends Exception {

    /** EX_CONFIG of sysexits.h: a configuration error. */
    static final int EXIT_STATUS = 78;

    private static final long serialVersionUID = 1L;

    StartupRefused(String message) {
        super(message);
    }

    StartupRefused(String message, Throwable cause) {
        super(message, cause);
    }
}
