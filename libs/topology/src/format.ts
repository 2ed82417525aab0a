/**
 * A TopologySpec back to topology-file YAML, writing only what differs from the defaults; parsing the
 * text gives the same spec again (positions aside). For `skblab` to print a generated lab, and for tests.
 */
import { Document, isSeq } from 'yaml';
import { DEFAULTS } from './limits';
import type { TopologySpec } from './spec';
import { formatTcRate, formatTcTime } from './units';

export function formatTopology(spec: TopologySpec): string {
  const hosts: Record<string, unknown> = {};
  for (const h of spec.hosts) {
    const host: Record<string, unknown> = { cpus: h.cpus };
    if (h.nics.length) {
      const nics: Record<string, unknown> = {};
      for (const n of h.nics) {
        const nic: Record<string, unknown> = {};
        if (n.mac !== null) nic.mac = n.mac;
        if (n.mtu !== DEFAULTS.mtu) nic.mtu = n.mtu;
        if (n.queues !== DEFAULTS.queues) nic.queues = n.queues;
        if (n.rxRing !== DEFAULTS.ring) nic.rx_ring = n.rxRing;
        if (n.txRing !== DEFAULTS.ring) nic.tx_ring = n.txRing;
        if (n.irqAffinity !== null) nic.irq_affinity = n.irqAffinity;
        if (n.addresses.length === 1) nic.address = n.addresses[0].cidr;
        else if (n.addresses.length > 1) nic.address = n.addresses.map((a) => a.cidr);
        nics[n.name] = nic;
      }
      host.nics = nics;
    }
    if (h.routes.length) host.routes = h.routes.map((r) => r.route);
    if (h.sysctls.length) {
      host.sysctls = Object.fromEntries(
        h.sysctls.map((s) => [s.name, String(Number(s.value)) === s.value ? Number(s.value) : s.value]),
      );
    }
    if (h.exec.length) host.exec = h.exec.map((x) => x.line);
    hosts[h.name] = host;
  }
  const wires = spec.wires.map((w) => {
    const wire: Record<string, unknown> = { between: [`${w.a.host}:${w.a.nic}`, `${w.b.host}:${w.b.nic}`] };
    if (w.delay) wire.delay = formatTcTime(w.delay);
    if (w.jitter) wire.jitter = formatTcTime(w.jitter);
    for (const k of ['loss', 'corrupt', 'duplicate', 'reorder'] as const) if (w[k]) wire[k] = `${w[k]}%`;
    if (w.rate !== DEFAULTS.rate) wire.rate = formatTcRate(w.rate);
    if (!w.up) wire.state = 'down';
    return wire;
  });
  const doc = new Document(wires.length ? { hosts, wires } : { hosts });
  // [HOST:NIC, HOST:NIC] and irq_affinity: [0, 1] on one line.
  for (let i = 0; i < wires.length; i++) {
    const between = doc.getIn(['wires', i, 'between'], true);
    if (isSeq(between)) between.flow = true;
  }
  for (const h of spec.hosts) {
    for (const n of h.nics) {
      const irq = doc.getIn(['hosts', h.name, 'nics', n.name, 'irq_affinity'], true);
      if (isSeq(irq)) irq.flow = true;
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
