package io.pvesync.details;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;

import io.pvesync.details.GuestCalls.Reply;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxAuthException;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxHttpException;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pass's closer look at guests: reads configs and asks guests for their addresses, one guest
 * at a time per call of {@link #probe}. Safe for the pass's worker threads to share; the caches
 * belong to {@link GuestDetails} and outlive the pass.
 */
final class GuestProbe {

    /**
     * What to do for one guest; decided by {@link GuestDetails}.
     *
     * @param inDoubt the guest may be another VM than its row's: without its config, it is held,
     *                and its address is not asked on the strength of the previous VM's config
     */
    record Work(ObservedVm vm, KnownVm known, boolean readConfig, boolean lookupDue, boolean inDoubt,
                boolean addressLater) {
        Work(ObservedVm vm, KnownVm known, boolean readConfig, boolean lookupDue, boolean inDoubt) {
            this(vm, known, readConfig, lookupDue, inDoubt, false);
        }

        /** Only the config (and with it the marker) now; the address, if due, in a later step of the pass. */
        Work configOnly() {
            return new Work(vm, known, true, lookupDue, inDoubt, true);
        }

        /**
         * Only the address, the config being cached already; {@code seen} is the guest as an
         * earlier step of the pass left it (with the marker it read), so this step keeps it.
         */
        Work addressOnly(ObservedVm seen) {
            return new Work(seen, known, false, true, inDoubt, false);
        }
    }

    /** The address of a guest whose config step ran: a later step of the same pass asks for it. */
    static final Miss ADDRESS_LATER = Miss.forThisPass("address looked up later in this pass");

    /** The guest as this pass leaves it; {@code miss} says why it has no address, null when it has one. */
    record Probe(ObservedVm vm, Miss miss) {
    }

    /**
     * A guest's answer about its address, kept until it is due again.
     *
     * @param misses how many answers in a row gave no address (0 when this one has an address)
     */
    record Lookup(Instant at, VmKind kind, String address, Miss miss, int misses) {
    }

    /** The result of asking a guest; {@code stop} means the pass cannot go on for it. */
    private record Asked(String address, Miss miss, boolean cacheable, boolean stop) {
        static Asked answer(String address, Miss miss) {
            return new Asked(address, miss, true, false);
        }

        static Asked uncached(Miss miss) {
            return new Asked(null, miss, false, false);
        }

        static Asked stop(Miss miss) {
            return new Asked(null, miss, false, true);
        }
    }

    private final GuestCalls calls;
    private final Map<Integer, GuestConfig> configs;
    private final Map<Integer, Lookup> lookups;
    private final Instant now;

    private final AtomicInteger found = new AtomicInteger();
    private final AtomicInteger none = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    /** The nodes left alone this pass, the budget, and the lookups they cost. */
    final PassSkips skips;
    /** Guests whose config was read this pass. */
    final Set<Integer> configsRead = ConcurrentHashMap.newKeySet();
    /** Nodes that answered some guest call this pass. */
    final Set<String> reachedNodes = ConcurrentHashMap.newKeySet();
    /** The reason of the first 403/401 on an address call this pass, else null. */
    final AtomicReference<String> refused = new AtomicReference<>();
    /** Whether some guest agent answered this pass (so the token may call it). */
    final AtomicBoolean agentAnswered = new AtomicBoolean();

    GuestProbe(GuestCalls calls, Map<Integer, GuestConfig> configs, Map<Integer, Lookup> lookups, Instant now,
               PassSkips skips) {
        this.calls = calls;
        this.skips = skips;
        this.configs = configs;
        this.lookups = lookups;
        this.now = now;
    }

    /** The config cached for the guest, unless it belongs to another kind of guest with that vmid. */
    static GuestConfig cachedConfig(Map<Integer, GuestConfig> configs, ObservedVm vm) {
        GuestConfig config = configs.get(vm.vmid());
        return config != null && config.kind() == vm.kind() ? config : null;
    }

    static Lookup cachedLookup(Map<Integer, Lookup> lookups, ObservedVm vm) {
        Lookup lookup = lookups.get(vm.vmid());
        return lookup != null && lookup.kind() == vm.kind() ? lookup : null;
    }

    /**
     * Does the work for one guest. Never throws for a failed call; makes no call when none is due,
     * nor when {@link PassSkips} says its lookups wait (the guest is then left as the listing shows
     * it, exactly as when its calls failed: in doubt, it is held).
     */
    Probe probe(Work work) {
        ObservedVm vm = work.vm();
        if (work.readConfig() || work.lookupDue()) {
            Miss skipped = skips.skip(vm);
            if (skipped != null) {
                return new Probe(vm, skipped);
            }
        }
        GuestConfig previous = cachedConfig(configs, vm);
        GuestConfig config = previous;
        ObservedVm out = vm;
        Miss configMiss = null;
        if (work.readConfig()) {
            ApiCall call = vm.kind() == VmKind.QEMU
                    ? ApiCall.qemuConfig(vm.node(), vm.vmid()) : ApiCall.lxcConfig(vm.node(), vm.vmid());
            Reply reply = calls.get(call);
            if (reply instanceof Reply.Data data) {
                reachedNodes.add(vm.node());
                config = vm.kind() == VmKind.QEMU ? GuestConfig.qemu(data.data()) : GuestConfig.lxc(data.data());
                configs.put(vm.vmid(), config);
                configsRead.add(vm.vmid());
                out = vm.withIncarnation(config.incarnation());
                if (isAnotherGuest(work.known(), previous, config)) {
                    lookups.remove(vm.vmid()); // the cached answer was about what the vmid was before
                }
            } else if (reply instanceof Reply.Failed failed) {
                configMiss = Miss.forThisPass("config not readable: " + failed.error().getMessage());
                if (work.inDoubt()) {
                    return new Probe(vm, configMiss); // held by GuestDetails: nothing of it is written
                }
            } else {
                return new Probe(vm, stopMiss(vm, reply));
            }
        }
        if (vm.status() != VmStatus.RUNNING) {
            return finish(out, config, null, Miss.of("guest is " + vm.status().column()));
        }
        Lookup cached = cachedLookup(lookups, vm);
        if (!work.lookupDue() && cached != null) {
            return finish(out, config, cached.address(), cached.miss());
        }
        if (work.addressLater()) {
            return new Probe(out, ADDRESS_LATER); // the stored address stands until then
        }
        if (config == null) {
            return new Probe(out, configMiss != null ? configMiss : Miss.forThisPass("config not read"));
        }
        Asked asked = vm.kind() == VmKind.QEMU ? askAgent(vm, config) : askContainer(vm, config);
        if (asked.stop()) {
            return new Probe(out, asked.miss());
        }
        if (asked.cacheable()) {
            int misses = asked.address() != null ? 0 : cached == null || cached.address() != null ? 1 : cached.misses() + 1;
            lookups.put(vm.vmid(), new Lookup(now, vm.kind(), asked.address(), asked.miss(), misses));
        }
        return finish(out, config, asked.address(), asked.miss());
    }

    /**
     * Whether the config shows a different guest, or a different way to find its address, than
     * the cached answer was based on: another incarnation than the store knows, or a changed
     * agent flag, {@code net0} MAC or marker since the last read.
     */
    private static boolean isAnotherGuest(KnownVm known, GuestConfig previous, GuestConfig config) {
        if (known != null && known.incarnation() != null && config.incarnation() != null
                && !known.incarnation().equals(config.incarnation())) {
            return true;
        }
        return previous != null && (previous.agentEnabled() != config.agentEnabled()
                || !Objects.equals(previous.net0Mac(), config.net0Mac())
                || !Objects.equals(previous.incarnation(), config.incarnation()));
    }

    private Asked askAgent(ObservedVm vm, GuestConfig config) {
        if (!config.agentEnabled()) {
            return Asked.answer(null, Miss.of("guest agent disabled in config"));
        }
        Miss leftAlone = skips.skipOnLeftAloneNode(vm); // left alone since its config was read
        return leftAlone != null ? Asked.stop(leftAlone) : counted(agentReply(vm, config));
    }

    /** Counts a lookup that sent a request by its outcome, for the metrics. */
    private Asked counted(Asked asked) {
        if (asked.address() != null) {
            found.incrementAndGet();
        } else if (asked.stop() || !asked.cacheable()) {
            failed.incrementAndGet();
        } else {
            none.incrementAndGet();
        }
        return asked;
    }

    /** The lookups this pass sent, by outcome, and those it skipped. */
    AddressLookups lookupCounts() {
        return new AddressLookups(found.get(), none.get(), failed.get(), skips.counts(), skips.report());
    }

    private Asked agentReply(ObservedVm vm, GuestConfig config) {
        Reply reply = calls.get(ApiCall.qemuAgentInterfaces(vm.node(), vm.vmid()));
        if (reply instanceof Reply.Data data) {
            reachedNodes.add(vm.node());
            agentAnswered.set(true);
            return fromAnswer(GuestAnswer.fromAgent(data.data()), config, "guest agent reported no usable address",
                    "update or restart qemu-guest-agent in the guest");
        }
        if (reply instanceof Reply.Failed failed) {
            return agentFailure(vm, failed.error());
        }
        return Asked.stop(stopMiss(vm, reply));
    }

    private Asked agentFailure(ObservedVm vm, ProxmoxException error) {
        if (error instanceof ProxmoxAuthException auth) {
            // checked on the first node before proxying: says nothing about the guest's node
            refused.compareAndSet(null, "HTTP " + auth.status() + " " + auth.reason());
            return Asked.answer(null, Miss.of("guest agent call refused (HTTP " + auth.status()
                    + "): the token lacks VM.GuestAgent.Audit (PVE 9) or VM.Monitor (PVE 8)"));
        }
        if (error instanceof ProxmoxHttpException http) {
            reachedNodes.add(vm.node());
            String reason = http.reason();
            if (reason.contains("QEMU guest agent is not running")) {
                return Asked.answer(null, Miss.warn("guest agent not running",
                        "install and start qemu-guest-agent in the guest, or turn the agent option off"));
            }
            if (reason.contains("No QEMU guest agent configured")) {
                return Asked.answer(null, Miss.of("guest agent not configured"));
            }
            if (reason.contains("got timeout")) {
                return Asked.answer(null, Miss.warn("guest agent timed out",
                        "check the guest: a hung agent holds a Proxmox API worker for 5 s per call"));
            }
            if (reason.startsWith("VM ") && reason.contains("is not running")) {
                return Asked.answer(null, Miss.of("guest not running"));
            }
            return Asked.answer(null, Miss.of("guest agent call failed: HTTP " + http.status() + " " + reason.strip()));
        }
        return Asked.uncached(Miss.forThisPass("address lookup failed: " + error.getMessage()));
    }

    private Asked askContainer(ObservedVm vm, GuestConfig config) {
        Miss leftAlone = skips.skipOnLeftAloneNode(vm);
        return leftAlone != null ? Asked.stop(leftAlone) : counted(containerReply(vm, config));
    }

    private Asked containerReply(ObservedVm vm, GuestConfig config) {
        Reply reply = calls.get(ApiCall.lxcInterfaces(vm.node(), vm.vmid()));
        if (reply instanceof Reply.Data data) {
            reachedNodes.add(vm.node());
            return fromAnswer(GuestAnswer.fromContainer(data.data()), config, "container reported no usable address", null);
        }
        if (reply instanceof Reply.Failed failed) {
            ProxmoxException error = failed.error();
            if (error instanceof ProxmoxHttpException http && http.status() == 501) {
                return Asked.answer(null, Miss.of("container interfaces not available (needs Proxmox VE 8.1)"));
            }
            if (error instanceof ProxmoxHttpException http) {
                if (!(error instanceof ProxmoxAuthException)) {
                    reachedNodes.add(vm.node());
                }
                return Asked.answer(null, Miss.of("container interfaces call failed: HTTP " + http.status()
                        + " " + http.reason().strip()));
            }
            return Asked.uncached(Miss.forThisPass("address lookup failed: " + error.getMessage()));
        }
        return Asked.stop(stopMiss(vm, reply));
    }

    private static Asked fromAnswer(GuestAnswer answer, GuestConfig config, String noAddress, String errorAdvice) {
        if (answer instanceof GuestAnswer.Interfaces list) {
            return AddressSelector.select(list.interfaces(), config.net0Mac())
                    .map(address -> Asked.answer(address, null))
                    .orElseGet(() -> Asked.answer(null, Miss.of(noAddress)));
        }
        String note = ((GuestAnswer.Failure) answer).note();
        return Asked.answer(null, errorAdvice == null ? Miss.of(note) : Miss.warn(note, errorAdvice));
    }

    /** The guest's address from the answer, else its configured static one, else why neither. */
    private static Probe finish(ObservedVm vm, GuestConfig config, String address, Miss miss) {
        if (address != null) {
            return new Probe(vm.withIpAddress(address), null);
        }
        if (config != null && config.staticAddress() != null) {
            return new Probe(vm.withIpAddress(config.staticAddress()), null);
        }
        if (config == null) {
            return new Probe(vm, miss);
        }
        return new Probe(vm, miss.and(vm.kind() == VmKind.QEMU
                ? "no static address in cloud-init ipconfig0" : "no static ip= in net0"));
    }

    private Miss stopMiss(ObservedVm vm, Reply reply) {
        if (reply instanceof Reply.NodeDown down) {
            return skips.unreachable(vm.node(), down.reason());
        }
        if (reply instanceof Reply.NodeSlow slow) {
            return skips.slow(vm.node(), slow.reason());
        }
        if (reply instanceof Reply.Moved) {
            return Miss.forThisPass("guest moved to another node during the pass");
        }
        return skips.apiDown();
    }
}
