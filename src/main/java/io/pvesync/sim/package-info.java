/**
 * A Proxmox VE API simulator: {@link io.pvesync.sim.ProxmoxSimulator}, a real HTTP(S) server that
 * serves one simulated cluster with the wire shapes and quirks of {@code PROXMOX-API.md}, for
 * integration tests, {@code pvesync demo}, {@code pvesync check} and benchmarks.
 *
 * <p>Simulated: token auth with its 401 texts and delay, privileges with 403s and silent omission,
 * {@code /cluster/resources} with RRD-style presence rules (stale, then {@code unknown}, for offline
 * nodes), numbers as strings, configs, {@code status/current}, guest agent and container interfaces
 * with their error shapes, 595 for an offline node's proxied calls, PVE 8/9 differences, TLS with a
 * cluster CA. Not simulated: writes (POST/PUT/DELETE are 501), tickets (every ticket is invalid),
 * gzip, pools and HA state, {@code /nodes/{n}/qemu} and {@code /nodes/{n}/lxc} lists, per-node
 * certificates (one leaf serves every endpoint), pvedaemon's 3-worker limit.
 */
package io.pvesync.sim;
