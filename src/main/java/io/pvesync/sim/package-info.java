/**
 * A Proxmox VE API simulator: {@link io.pvesync.sim.ProxmoxSimulator}, a real HTTP(S) server that
 * serves one simulated cluster with the wire shapes and quirks of {@code PROXMOX-API.md}, for
 * integration tests, {@code pvesync demo}, {@code pvesync check} and benchmarks. Where it and
 * Proxmox could disagree, it follows the Proxmox sources, named in comments at each behaviour.
 *
 * <p>Simulated: token auth with its 401 texts and delay, privileges with 403s and silent omission,
 * {@code /cluster/resources} with RRD-style presence rules (stale, then {@code unknown}, for offline
 * nodes), numbers as strings, configs, {@code status/current}, guest agent and container interfaces
 * with their error shapes, 595 for an offline node's proxied calls, PVE 8/9 differences, TLS with a
 * cluster CA. Lifecycle as the sources do it: every change that Proxmox runs as a worker leaves a
 * task in its node's list ({@code qmcreate}, {@code qmstart}, {@code qmstop}, {@code qmshutdown},
 * {@code qmpause}, {@code qmsuspend}, {@code qmigrate}, {@code qmdestroy}, {@code qmclone} with the
 * source vmid, {@code qmrestore}, {@code vzdump}, and the {@code vz*} ones for containers);
 * {@code GET /cluster/tasks} with the lists' 25-entry and 32 KiB rules, its Sys.Audit/user filter
 * and an offline node's last list; create with a new smbios1 uuid, {@code meta} ctime and MAC; QEMU
 * clones with their temporary config, {@code lock: clone}, copied {@code meta} and new uuid,
 * vmgenid and MACs; backups and restores (QEMU and LXC, also over an existing guest) with the
 * configs they write meanwhile, keeping uuid, ctime and MACs; a new vmid listed as
 * {@code status: unknown} until pvestatd's first broadcast (10 s) during a clone or restore.
 *
 * <p>Not simulated: writes over HTTP (POST/PUT/DELETE are 501; changes come from the Java API),
 * tickets (every ticket is invalid), gzip, pools and HA state, {@code /nodes/{n}/lxc} lists and
 * {@code /nodes/{n}/tasks}, per-node certificates (one leaf serves every endpoint); time, unless a
 * {@link io.pvesync.sim.Timing} other than {@code none()} is given (then each node's 3 pveproxy and 3
 * pvedaemon workers with their queues, and each call's service time); pvestatd's 10 s lag for anything but a clone's or restore's first seconds (a
 * create, rename or task shows at once); container clones ({@code vzclone}: the source gets
 * {@code lock: disk}, the target {@code lock: create}); {@code destroy_vm}'s brief
 * {@code lock: destroyed} config; failed tasks (every task ends {@code OK}); linked clones (every
 * clone is a full one); the Perl hash order of {@code /cluster/tasks}' nodes (name order here).
 */
package io.pvesync.sim;
