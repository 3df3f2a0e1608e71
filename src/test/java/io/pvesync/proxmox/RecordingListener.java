package io.pvesync.proxmox;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Writes each event as {@code requested cluster/resources} or {@code failed cluster/resources ExceptionType}. */
final class RecordingListener implements ApiListener {

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void requested(String call) {
        events.add("requested " + call);
    }

    @Override
    public void failed(String call, ProxmoxException error) {
        events.add("failed " + call + " " + error.getClass().getSimpleName());
    }

    List<String> events() {
        return List.copyOf(events);
    }
}
