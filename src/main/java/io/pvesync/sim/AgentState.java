package io.pvesync.sim;

/**
 * What a QEMU guest's agent does when asked for its interfaces (PROXMOX-API.md §4.1). Containers
 * have no agent; theirs is always {@link #OFF}.
 */
public enum AgentState {
    /** The config enables the agent and it answers with the guest's interfaces. */
    RUNNING,
    /** The config enables the agent but it does not answer: 500 {@code QEMU guest agent is not running}. */
    NOT_RUNNING,
    /** The agent answers with an error of its own, passed through as HTTP 200 {@code result.error}. */
    QGA_ERROR,
    /** The config says {@code agent: 0,...}: the key is present but off, so the call finds no agent running. */
    DISABLED,
    /** The config has no {@code agent} key: 500 {@code No QEMU guest agent configured}. */
    OFF;

    /** Whether the config's {@code agent} property enables the agent. */
    boolean enabledInConfig() {
        return this == RUNNING || this == NOT_RUNNING || this == QGA_ERROR;
    }
}
