package io.pvesync.details;


/**
 * Why a guest has no address this pass.
 *
 * @param text    the note shown in {@code /status}, e.g. {@code guest agent not running}
 * @param advice  what the operator can do, when the cause is a problem worth a warning; null for
 *                deliberate or harmless causes (agent disabled, guest stopped)
 * @param passing true when the cause is this pass's circumstance (node unreachable, guest moving,
 *                API down) rather than the guest's own answer; such a note does not replace the
 *                guest's last answer in the log-once bookkeeping
 */
record Miss(String text, String advice, boolean passing) {

    static Miss of(String text) {
        return new Miss(text, null, false);
    }

    static Miss warn(String text, String advice) {
        return new Miss(text, advice, false);
    }

    static Miss forThisPass(String text) {
        return new Miss(text, null, true);
    }

    /** This note with a further clause, e.g. {@code ... and no static address in cloud-init ipconfig0}. */
    Miss and(String clause) {
        return new Miss(text + " and " + clause, advice, passing);
    }
}
