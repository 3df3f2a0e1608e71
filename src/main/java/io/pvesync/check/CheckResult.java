package io.pvesync.check;

/**
 * One line of {@code pvesync check}.
 *
 * @param level   ok, warn (works, but worth fixing) or fail (pvesync cannot work this way)
 * @param subject what was checked: {@code config}, {@code cluster=lab endpoint=https://pve1:8006}, {@code database}
 * @param message what was found, and for warn/fail what to do
 */
public record CheckResult(Level level, String subject, String message) {
    public enum Level { OK, WARN, FAIL }

    static CheckResult ok(String subject, String message) {
        return new CheckResult(Level.OK, subject, message);
    }

    static CheckResult warn(String subject, String message) {
        return new CheckResult(Level.WARN, subject, message);
    }

    static CheckResult fail(String subject, String message) {
        return new CheckResult(Level.FAIL, subject, message);
    }

    /** {@code [ ok ] subject: message}, aligned. */
    public String line() {
        String tag = switch (level) {
            case OK -> "[ ok ]";
            case WARN -> "[warn]";
            case FAIL -> "[FAIL]";
        };
        return tag + " " + subject + ": " + message;
    }
}
