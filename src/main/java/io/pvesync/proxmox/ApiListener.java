package io.pvesync.proxmox;

/**
 * Observes every HTTP attempt a {@link ProxmoxClient} makes, for metrics. A call that fails over
 * reports one {@link #requested} per endpoint tried and one {@link #failed} per endpoint that
 * failed; the {@link ProxmoxUnavailableException} that ends such a call is not reported again (its
 * parts were).
 *
 * <p>Methods are called on the calling thread, possibly from several threads at once; they must be
 * quick and must not throw.
 */
public interface ApiListener {

    /** A listener that ignores everything. */
    ApiListener NONE = new ApiListener() {
        @Override
        public void requested(String call) {
        }

        @Override
        public void failed(String call, ProxmoxException error) {
        }
    };

    /**
     * An HTTP request is about to be sent to one endpoint.
     *
     * @param call the {@link ApiCall#name()}, e.g. {@code cluster/resources}
     */
    void requested(String call);

    /**
     * One attempt failed: no answer, an HTTP error status, or an answer that is not the expected JSON.
     *
     * @param call  the {@link ApiCall#name()}
     * @param error what went wrong at that endpoint, never a {@link ProxmoxUnavailableException}
     */
    void failed(String call, ProxmoxException error);
}
