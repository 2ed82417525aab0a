/**
 * A topology's hardware, built into a lab: hosts with their CPUs, NICs (igb) with their queues, rings and
 * IRQ affinity, and the wires between NIC ports. Deterministic (MAC addresses derive from the host's and
 * the NIC's index unless the file gives them), so every service of a distributed lab builds the same one.
 * What the hosts then configure (addresses, routes, sysctls, boot commands) is run by the shell.
 */
import { igb_adapter, register_igb, wire_connect, type Host, type NetDevice } from '@skblab/kernel';
import type { TopologySpec } from '@skblab/topology';
import type { Lab } from './lab';

/** 00:1b:21 is one of Intel's OUIs; then the host's index (2 bytes) and the NIC's. */
export function derivedMac(hostIndex: number, nicIndex: number): Uint8Array {
  return new Uint8Array([0x00, 0x1b, 0x21, (hostIndex >> 8) & 0xff, hostIndex & 0xff, nicIndex & 0xff]);
}

function parseMac(s: string): Uint8Array {
  return new Uint8Array(s.split(':').map((h) => parseInt(h, 16)));
}

export function buildHardware(lab: Lab, spec: TopologySpec): void {
  spec.hosts.forEach((h, i) => {
    let host: Host | undefined = lab.hosts.get(h.name);
    if (!host) host = lab.addHost(h.name, h.cpus);
    host.index = i + 1;
    h.nics.forEach((n, j) => {
      if (host!.initNet.devices.some((d) => d.name === n.name)) return;
      register_igb(host!.initNet, n.name, n.mac ? parseMac(n.mac) : derivedMac(i + 1, j), {
        queues: n.queues,
        txRing: n.txRing,
        rxRing: n.rxRing,
        mtu: n.mtu,
        irqAffinity: n.irqAffinity,
      });
    });
  });
  const nic = (e: { host: string; nic: string }): NetDevice =>
    lab.hosts.get(e.host)!.initNet.devices.find((d) => d.name === e.nic)!;
  for (const w of spec.wires) {
    const a = nic(w.a);
    if (igb_adapter(a)?.wire) continue;
    wire_connect(a, nic(w.b), {
      delay: w.delay,
      jitter: w.jitter,
      loss: w.loss / 100,
      corrupt: w.corrupt / 100,
      duplicate: w.duplicate / 100,
      reorder: w.reorder / 100,
      rate: w.rate,
      up: w.up,
    });
  }
}

/** The lines each host runs at boot, in order, each with where the file wrote it. */
export function bootLines(
  spec: TopologySpec,
): Map<string, Array<{ line: string; pos: { line: number; col: number } }>> {
  const out = new Map<string, Array<{ line: string; pos: { line: number; col: number } }>>();
  for (const h of spec.hosts) {
    const lines: Array<{ line: string; pos: { line: number; col: number } }> = [];
    for (const n of h.nics) {
      for (const a of n.addresses) lines.push({ line: `ip addr add ${a.cidr} dev ${n.name}`, pos: a.pos });
      lines.push({ line: `ip link set ${n.name} up`, pos: n.pos });
    }
    for (const s of h.sysctls)
      lines.push({ line: `sysctl -w ${s.name}=${s.value}`, pos: s.valuePos ?? s.pos });
    for (const r of h.routes) lines.push({ line: `ip route add ${r.route}`, pos: r.pos });
    for (const e of h.exec) lines.push(e);
    out.set(h.name, lines);
  }
  return out;
}
