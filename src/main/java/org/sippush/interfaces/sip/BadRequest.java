package org.sippush.interfaces.sip;

/** A request the server cannot read: answered with {@code status} and a reason saying what was wrong. */
final class BadRequest extends Exception {

    private final int status;

    BadRequest(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
