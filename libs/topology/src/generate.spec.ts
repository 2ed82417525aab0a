import { join } from 'node:path';
import {
  at,
  defaultTopology,
  formatTopology,
  isTopologyError,
  loadTopologyFile,
  parseTopology,
  racksTopology,
} from '@skblab/topology';
import type { TopologySpec } from './spec';

/** Positions and the file name removed, to compare what two specs say. */
function strip(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => !['pos', 'posOf', 'valuePos', 'file'].includes(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return x;
}

describe('defaultTopology', () => {
  it('is examples/two-hosts.yaml', () => {
    const file = loadTopologyFile(join(__dirname, '..', '..', '..', 'examples', 'two-hosts.yaml'));
    expect(isTopologyError(file)).toBe(false);
    expect(strip(defaultTopology())).toEqual(strip(file));
  });

  it('is generated: no positions in a file, no MACs', () => {
    const spec = defaultTopology();
    expect(spec.file).toBe('<generated>');
    expect(at(spec, spec.hosts[0].pos)).toBe('<generated>');
    expect(spec.hosts.flatMap((h) => h.nics.map((n) => n.mac))).toEqual([null, null]);
  });
});

describe('racksTopology', () => {
  const spec = racksTopology({ racks: 25, hostsPerRack: 40 });

  it('has a core, 25 rack routers and 1,000 hosts', () => {
    expect(spec.hosts).toHaveLength(1_000 + 26);
    expect(new Set(spec.hosts.map((h) => h.name)).size).toBe(spec.hosts.length);
    expect(spec.hosts[0].name).toBe('core');
    expect(spec.hosts.filter((h) => /^rack\d+$/.test(h.name))).toHaveLength(25);
    expect(spec.hosts.filter((h) => /^r\d+h\d+$/.test(h.name))).toHaveLength(1_000);
    expect(spec.hosts[0].nics.map((n) => n.name)).toEqual(Array.from({ length: 25 }, (_, i) => `eth${i}`));
  });

  it('gives every NIC a unique address', () => {
    const addrs = spec.hosts.flatMap((h) =>
      h.nics.flatMap((n) => n.addresses.map((a) => a.cidr.split('/')[0])),
    );
    expect(addrs).toHaveLength(2 * (25 + 1_000));
    expect(new Set(addrs).size).toBe(addrs.length);
  });

  it('puts every NIC on exactly one wire', () => {
    const nics = new Map<string, number>();
    for (const h of spec.hosts) for (const n of h.nics) nics.set(`${h.name}:${n.name}`, 0);
    for (const w of spec.wires) {
      for (const end of [w.a, w.b]) {
        const id = `${end.host}:${end.nic}`;
        expect(nics.has(id)).toBe(true);
        nics.set(id, nics.get(id)! + 1);
      }
    }
    expect([...nics.values()].every((n) => n === 1)).toBe(true);
    expect(spec.wires).toHaveLength(25 + 1_000);
  });

  it('addresses /30s and routes as documented', () => {
    const host = (name: string) => spec.hosts.find((h) => h.name === name)!;
    const r3h7 = host('r3h7');
    expect(r3h7.nics[0].addresses.map((a) => a.cidr)).toEqual(['10.3.7.2/30']);
    expect(r3h7.routes.map((r) => r.route)).toEqual(['default via 10.3.7.1']);
    expect(r3h7.sysctls).toEqual([]);
    const rack3 = host('rack3');
    expect(rack3.nics[0].addresses.map((a) => a.cidr)).toEqual(['10.0.3.2/30']);
    expect(rack3.nics[7]).toMatchObject({ name: 'eth7', addresses: [{ cidr: '10.3.7.1/30' }] });
    expect(rack3.routes.map((r) => r.route)).toEqual(['default via 10.0.3.1']);
    expect(rack3.sysctls).toMatchObject([{ name: 'net.ipv4.ip_forward', value: '1' }]);
    const core = host('core');
    expect(core.nics[2]).toMatchObject({ name: 'eth2', addresses: [{ cidr: '10.0.3.1/30' }] });
    expect(core.routes[2].route).toBe('10.3.0.0/16 via 10.0.3.2');
    expect(core.sysctls).toMatchObject([{ name: 'net.ipv4.ip_forward', value: '1' }]);
    expect(spec.wires).toContainEqual(
      expect.objectContaining({ a: { host: 'rack3', nic: 'eth7' }, b: { host: 'r3h7', nic: 'eth0' } }),
    );
    expect(spec.wires).toContainEqual(
      expect.objectContaining({ a: { host: 'core', nic: 'eth2' }, b: { host: 'rack3', nic: 'eth0' } }),
    );
  });

  it('uses the defaults: 1 queue, 256-descriptor rings, MTU 1500, wires with no delay at 1 Gbit/s', () => {
    for (const h of spec.hosts) {
      expect(h.cpus).toBe(2);
      for (const n of h.nics)
        expect(n).toMatchObject({ mac: null, mtu: 1500, queues: 1, rxRing: 256, txRing: 256 });
    }
    for (const w of spec.wires)
      expect(w).toMatchObject({ delay: 0, jitter: 0, loss: 0, rate: 1e9, up: true });
    expect(racksTopology({ racks: 1, hostsPerRack: 1, cpus: 8 }).hosts.map((h) => h.cpus)).toEqual([8, 8, 8]);
  });

  it('is a valid topology file once written out, and parses back to itself', () => {
    const r = parseTopology(formatTopology(spec), 'racks.yaml');
    if (isTopologyError(r)) throw new Error(r.error);
    expect(strip(r)).toEqual(strip(spec));
  });

  it('refuses sizes beyond the addressing plan', () => {
    expect(() => racksTopology({ racks: 251, hostsPerRack: 1 })).toThrow(RangeError);
    expect(() => racksTopology({ racks: 1, hostsPerRack: 251 })).toThrow(RangeError);
    expect(() => racksTopology({ racks: 0, hostsPerRack: 1 })).toThrow(RangeError);
    expect(() => racksTopology({ racks: 1, hostsPerRack: 1, cpus: 65 })).toThrow(RangeError);
    const max = racksTopology({ racks: 250, hostsPerRack: 1 }) as TopologySpec;
    expect(max.hosts[0].nics.at(-1)!.name).toBe('eth249');
  });
});
