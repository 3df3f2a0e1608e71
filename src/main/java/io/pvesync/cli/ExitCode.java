package io.pvesync.cli;

/** The exit codes of every command (DESIGN 4.1). */
final class ExitCode {
    static final int OK = 0;
    /** a sync (or check) failed: the cause is printed */
    static final int FAILED = 1;
    /** bad usage or a bad configuration file */
    static final int USAGE = 2;

    private ExitCode() {
    }
}
