import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, formatTopology, isTopologyError, loadTopologyFile, parseTopology } from '@skblab/topology';
import type { TopologySpec } from './spec';
import { parsePercent, parseTcRate, parseTcTime } from './units';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

/** The lines of a file, joined: line numbers in the tests are the index + 1. */
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

function ok(text: string): TopologySpec {
  const r = parseTopology(text, 'lab.yaml');
  if (isTopologyError(r)) throw new Error(r.error);
  return r;
}

function err(text: string): string {
  const r = parseTopology(text, 'lab.yaml');
  if (!isTopologyError(r)) throw new Error('parsed without error');
  return r.error;
}

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

const TWO_HOSTS = [
  'hosts:', //                                  1
  '  host1:', //                                2
  '    cpus: 2', //                             3
  '    nics:', //                               4
  '      eth0:', //                             5
  '        address: 192.168.1.1/24', //         6
  '  host2:', //                                7
  '    nics:', //                               8
  '      eth0:', //                             9
  '        address: 192.168.1.2/24', //         10
  'wires:', //                                  11
  '  - between: [host1:eth0, host2:eth0]', //   12
];

describe('examples/', () => {
  const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));

  it('holds the five examples', () => {
    expect(files.sort()).toEqual([
      'lossy-wire.yaml',
      'mtu.yaml',
      'one-host.yaml',
      'two-hosts.yaml',
      'two-routers.yaml',
    ]);
  });

  it.each(files)('%s parses, and says how to run it', (f) => {
    const path = join(EXAMPLES, f);
    const r = loadTopologyFile(path);
    expect(isTopologyError(r) ? r.error : '').toBe('');
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('#')).toBe(true);
    expect(text).toContain(`./bin/skblab shell -f examples/${f} host1`);
  });

  it.each(files)('%s round-trips through formatTopology', (f) => {
    const spec = loadTopologyFile(join(EXAMPLES, f)) as TopologySpec;
    expect(strip(ok(formatTopology(spec)))).toEqual(strip(spec));
  });

  it('two-routers: forwarding on the routers, routes both ways', () => {
    const spec = loadTopologyFile(join(EXAMPLES, 'two-routers.yaml')) as TopologySpec;
    expect(spec.hosts.map((h) => h.name)).toEqual(['host1', 'router1', 'router2', 'host2']);
    const [host1, router1, router2, host2] = spec.hosts;
    expect(host1.routes.map((r) => r.route)).toEqual(['default via 192.168.1.254']);
    expect(host2.routes.map((r) => r.route)).toEqual(['default via 192.168.2.254']);
    expect(router1.routes.map((r) => r.route)).toEqual(['192.168.2.0/24 via 10.0.12.2']);
    expect(router2.routes.map((r) => r.route)).toEqual(['192.168.1.0/24 via 10.0.12.1']);
    for (const r of [router1, router2])
      expect(r.sysctls).toMatchObject([{ name: 'net.ipv4.ip_forward', value: '1' }]);
    expect(spec.wires).toHaveLength(3);
  });

  it('lossy-wire: delay, jitter, loss and rate in netem units', () => {
    const spec = loadTopologyFile(join(EXAMPLES, 'lossy-wire.yaml')) as TopologySpec;
    expect(spec.wires[0]).toMatchObject({ delay: 10e6, jitter: 2e6, loss: 1, rate: 100e6, up: true });
  });

  it('mtu: the second wire has MTU 1400 at both ends', () => {
    const spec = loadTopologyFile(join(EXAMPLES, 'mtu.yaml')) as TopologySpec;
    const mtu = (host: string, nic: string) =>
      spec.hosts.find((h) => h.name === host)!.nics.find((n) => n.name === nic)!.mtu;
    expect([
      mtu('host1', 'eth0'),
      mtu('router', 'eth0'),
      mtu('router', 'eth1'),
      mtu('host2', 'eth0'),
    ]).toEqual([1500, 1500, 1400, 1400]);
  });
});

describe('parseTopology: values and defaults', () => {
  it('fills the defaults', () => {
    const spec = ok(yaml(...TWO_HOSTS));
    expect(spec.file).toBe('lab.yaml');
    expect(spec.hosts[1]).toEqual({
      name: 'host2',
      cpus: 2,
      nics: [
        {
          name: 'eth0',
          mac: null,
          mtu: 1500,
          queues: 1,
          rxRing: 256,
          txRing: 256,
          irqAffinity: null,
          addresses: [{ cidr: '192.168.1.2/24', pos: { line: 10, col: 18 } }],
          pos: { line: 9, col: 7 },
          posOf: { addresses: { line: 10, col: 18 } },
        },
      ],
      routes: [],
      sysctls: [],
      exec: [],
      pos: { line: 7, col: 3 },
      posOf: { nics: { line: 8, col: 5 } },
    });
    expect(spec.wires).toEqual([
      {
        a: { host: 'host1', nic: 'eth0' },
        b: { host: 'host2', nic: 'eth0' },
        delay: 0,
        jitter: 0,
        loss: 0,
        corrupt: 0,
        duplicate: 0,
        reorder: 0,
        rate: 1e9,
        up: true,
        pos: { line: 12, col: 5 },
        posOf: { a: { line: 12, col: 15 }, b: { line: 12, col: 27 } },
      },
    ]);
  });

  it('takes empty values as defaults: a host or NIC with nothing under it, no wires', () => {
    const spec = ok(yaml('hosts:', '  a:', '  b:', '    nics:', '      eth0:', 'wires:'));
    expect(spec.hosts.map((h) => [h.name, h.cpus, h.nics.map((n) => n.name)])).toEqual([
      ['a', 2, []],
      ['b', 2, ['eth0']],
    ]);
    expect(spec.wires).toEqual([]);
  });

  it('reads every key, keeping the order of hosts and NICs', () => {
    const spec = ok(
      yaml(
        'hosts:',
        '  zeta:',
        '    cpus: 4',
        '    nics:',
        '      eth1:',
        '        mac: 00:1B:21:00:01:00',
        '        mtu: 9000',
        '        queues: 2',
        '        rx_ring: 4096',
        '        tx_ring: 80',
        '        irq_affinity: [3, 1]',
        '        address: [10.0.0.1/8, 192.168.0.1/32]',
        '      eth0: {}',
        '    routes:',
        '      - default via 10.0.0.254',
        '    sysctls:',
        '      net.ipv4.ip_forward: 1',
        '      net.ipv4.ip_local_port_range: 32768 60999',
        '    exec:',
        '      - tc qdisc add dev eth1 root netem delay 10ms',
        '  alpha: {cpus: 1}',
        'wires:',
        '  - between: [zeta:eth1, zeta:eth0]',
        '    state: down',
      ),
    );
    expect(spec.hosts.map((h) => h.name)).toEqual(['zeta', 'alpha']);
    const [zeta] = spec.hosts;
    expect(zeta.nics.map((n) => n.name)).toEqual(['eth1', 'eth0']);
    expect(zeta.nics[0]).toMatchObject({
      mac: '00:1b:21:00:01:00',
      mtu: 9000,
      queues: 2,
      rxRing: 4096,
      txRing: 80,
      irqAffinity: [3, 1],
      addresses: [
        { cidr: '10.0.0.1/8', pos: { line: 12, col: 19 } },
        { cidr: '192.168.0.1/32', pos: { line: 12, col: 31 } },
      ],
    });
    expect(zeta.nics[0].posOf).toEqual({
      mac: { line: 6, col: 14 },
      mtu: { line: 7, col: 14 },
      queues: { line: 8, col: 17 },
      rxRing: { line: 9, col: 18 },
      txRing: { line: 10, col: 18 },
      irqAffinity: { line: 11, col: 23 },
      addresses: { line: 12, col: 18 },
    });
    expect(zeta.routes).toEqual([{ route: 'default via 10.0.0.254', pos: { line: 15, col: 9 } }]);
    expect(zeta.sysctls).toEqual([
      { name: 'net.ipv4.ip_forward', value: '1', pos: { line: 17, col: 7 }, valuePos: { line: 17, col: 28 } },
      {
        name: 'net.ipv4.ip_local_port_range',
        value: '32768 60999',
        pos: { line: 18, col: 7 },
        valuePos: { line: 18, col: 37 },
      },
    ]);
    expect(zeta.exec).toEqual([
      { line: 'tc qdisc add dev eth1 root netem delay 10ms', pos: { line: 20, col: 9 } },
    ]);
    expect(spec.hosts[1].cpus).toBe(1);
    expect(spec.wires[0]).toMatchObject({
      a: { host: 'zeta', nic: 'eth1' },
      b: { host: 'zeta', nic: 'eth0' },
      up: false,
    });
  });

  it('resolves YAML aliases', () => {
    const spec = ok(
      yaml(
        'hosts:',
        '  a:',
        '    nics:',
        '      eth0: &nic {mtu: 9000}',
        '  b:',
        '    nics:',
        '      eth0: *nic',
      ),
    );
    expect(spec.hosts.map((h) => h.nics[0].mtu)).toEqual([9000, 9000]);
  });

  it('at() names FILE:LINE:COL', () => {
    const spec = ok(yaml(...TWO_HOSTS));
    expect(at(spec, spec.hosts[1].nics[0].addresses[0].pos)).toBe('lab.yaml:10:18');
    expect(at({ file: '<generated>' }, { line: 0, col: 0 })).toBe('<generated>');
  });
});

describe('parseTopology: errors', () => {
  it('a YAML syntax error, with the library message', () => {
    expect(err(yaml('hosts:', '  host1:', '    cpus: [2', '  host2:'))).toBe(
      'lab.yaml:4:3: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(err(yaml('hosts:', '\thost1:'))).toMatch(/^lab\.yaml:2:1: YAML syntax: Tabs are not allowed/);
    expect(err(yaml('hosts:', '  host1:', '---', 'hosts:'))).toBe(
      'lab.yaml:3:1: YAML syntax: expected one document, found a second (---)',
    );
  });

  it('a syntax error comes before any other', () => {
    expect(err(yaml('hosts:', '  host1:', '    cpus: 0', '    exec: "unclosed'))).toMatch(
      /^lab\.yaml:\d+:\d+: YAML syntax: /,
    );
  });

  it('an unknown key, with the keys allowed', () => {
    const lines = [...TWO_HOSTS, '    dealy: 10ms'];
    expect(err(yaml(...lines))).toBe(
      "lab.yaml:13:5: wires[0]: unknown key 'dealy' (expected one of: between, delay, jitter, loss, rate, corrupt, duplicate, reorder, state)",
    );
    expect(err(yaml(...TWO_HOSTS.slice(0, 5), '        adress: 10.0.0.1/8'))).toBe(
      "lab.yaml:6:9: hosts.host1.nics.eth0: unknown key 'adress' (expected one of: mac, mtu, queues, rx_ring, tx_ring, irq_affinity, address)",
    );
    expect(err(yaml('hosts:', '  host1:', '    cpu: 2'))).toBe(
      "lab.yaml:3:5: hosts.host1: unknown key 'cpu' (expected one of: cpus, nics, routes, sysctls, exec)",
    );
    expect(err(yaml('hosts:', '  host1:', 'links: []'))).toBe(
      "lab.yaml:3:1: unknown key 'links' (expected one of: hosts, wires)",
    );
  });

  it('a wrong type', () => {
    expect(err(yaml('hosts:', '  host1:', '    cpus: two'))).toBe(
      "lab.yaml:3:11: hosts.host1.cpus: expected an integer from 1 to 64, got 'two'",
    );
    expect(err(yaml('hosts:', '  host1:', '    cpus: "2"'))).toBe(
      "lab.yaml:3:11: hosts.host1.cpus: expected an integer from 1 to 64, got '2'",
    );
    expect(err(yaml('hosts:', '  host1:', '    cpus:'))).toBe(
      'lab.yaml:3:10: hosts.host1.cpus: expected an integer from 1 to 64, got nothing',
    );
    expect(err(yaml('hosts:', '  host1:', '    nics: [eth0]'))).toBe(
      'lab.yaml:3:11: hosts.host1.nics: expected a map of NICs, got a list',
    );
    expect(err(yaml('hosts:', '  host1:', '    routes: default via 10.0.0.1'))).toBe(
      "lab.yaml:3:13: hosts.host1.routes: expected a list of routes (ip route add arguments), got 'default via 10.0.0.1'",
    );
    expect(err(yaml('hosts:', '  host1:', '    exec:', '      - 42'))).toBe(
      'lab.yaml:4:9: hosts.host1.exec[0]: expected a shell line, got 42',
    );
    expect(err(yaml('hosts:', '  host1:', '    sysctls:', '      net.ipv4.ip_forward: true'))).toBe(
      'lab.yaml:4:28: hosts.host1.sysctls.net.ipv4.ip_forward: expected a number or a string, got true',
    );
    expect(err(yaml('hosts: [host1]'))).toBe('lab.yaml:1:8: hosts: expected a map of hosts, got a list');
    expect(err(yaml('- hosts'))).toBe("lab.yaml:1:1: expected a map with key 'hosts', got a list");
  });

  it('a value out of range, with the value', () => {
    const nic = (line: string) => yaml('hosts:', '  host1:', '    nics:', '      eth0:', `        ${line}`);
    expect(err(nic('mtu: 9217'))).toBe(
      'lab.yaml:5:14: hosts.host1.nics.eth0.mtu: expected an integer from 68 to 9216, got 9217',
    );
    expect(err(nic('queues: 0'))).toBe(
      'lab.yaml:5:17: hosts.host1.nics.eth0.queues: expected an integer from 1 to 8, got 0',
    );
    expect(err(nic('rx_ring: 100'))).toBe(
      'lab.yaml:5:18: hosts.host1.nics.eth0.rx_ring: expected a multiple of 8 from 64 to 4096, got 100',
    );
    expect(err(nic('tx_ring: 8192'))).toBe(
      'lab.yaml:5:18: hosts.host1.nics.eth0.tx_ring: expected a multiple of 8 from 64 to 4096, got 8192',
    );
    expect(err(yaml('hosts:', '  host1:', '    cpus: 65'))).toBe(
      'lab.yaml:3:11: hosts.host1.cpus: expected an integer from 1 to 64, got 65',
    );
    expect(err(nic('address: 10.0.0.256/8'))).toBe(
      "lab.yaml:5:18: hosts.host1.nics.eth0.address: expected an IPv4 address with its prefix length like 192.168.1.1/24, got '10.0.0.256/8'",
    );
    expect(err(nic('address: [10.0.0.1/8, 10.0.0.2/33]'))).toMatch(
      /^lab\.yaml:5:31: hosts\.host1\.nics\.eth0\.address\[1\]: expected an IPv4 address .*, got '10\.0\.0\.2\/33'$/,
    );
    expect(err(nic('address: 10.0.0.1'))).toMatch(/^lab\.yaml:5:18: .* got '10\.0\.0\.1'$/);
  });

  it('bad names', () => {
    expect(err(yaml('hosts:', '  Host1:'))).toBe(
      "lab.yaml:2:3: hosts: expected a host name matching [a-z][a-z0-9-]{0,31}, got 'Host1'",
    );
    expect(err(yaml('hosts:', '  host1:', '    nics:', '      lo:'))).toBe(
      "lab.yaml:4:7: hosts.host1.nics: expected a NIC name matching [a-z][a-z0-9]{0,14}, not lo, got 'lo'",
    );
    expect(err(yaml('hosts:', '  host1:', '    nics:', '      eth0123456789012:'))).toMatch(
      /^lab\.yaml:4:7: .*got 'eth0123456789012'$/,
    );
    expect(err(yaml('hosts:', '  host1:', '    sysctls:', '      ip_forward: 1'))).toBe(
      "lab.yaml:4:7: hosts.host1.sysctls: expected a sysctl name like net.ipv4.ip_forward, got 'ip_forward'",
    );
  });

  it('missing or empty hosts, an empty file', () => {
    expect(err('')).toBe("lab.yaml:1:1: expected a map with key 'hosts', got an empty file");
    expect(err('# nothing yet\n')).toBe("lab.yaml:1:1: expected a map with key 'hosts', got an empty file");
    expect(err(yaml('wires: []'))).toBe("lab.yaml:1:1: missing key 'hosts'");
    expect(err(yaml('hosts:'))).toBe('lab.yaml:1:7: hosts: expected a non-empty map of hosts, got nothing');
    expect(err(yaml('hosts: {}'))).toBe(
      'lab.yaml:1:8: hosts: expected a non-empty map of hosts, got an empty map',
    );
  });

  it('a bad MAC: its form, multicast, all-zero', () => {
    const mac = (m: string) => yaml('hosts:', '  host1:', '    nics:', '      eth0:', `        mac: ${m}`);
    expect(err(mac('00:1b:21:00:01'))).toBe(
      "lab.yaml:5:14: hosts.host1.nics.eth0.mac: expected a MAC address like 00:1b:21:00:01:00, got '00:1b:21:00:01'",
    );
    expect(err(mac('01:00:5e:00:00:01'))).toBe(
      'lab.yaml:5:14: hosts.host1.nics.eth0.mac: expected a unicast MAC (low bit of the first byte 0), got 01:00:5e:00:00:01',
    );
    expect(err(mac('FF:FF:FF:FF:FF:FF'))).toMatch(/expected a unicast MAC .* got ff:ff:ff:ff:ff:ff$/);
    expect(err(mac('00:00:00:00:00:00'))).toBe(
      'lab.yaml:5:14: hosts.host1.nics.eth0.mac: expected a non-zero MAC, got 00:00:00:00:00:00',
    );
  });

  it('a duplicate MAC, at the second', () => {
    const text = yaml(
      'hosts:',
      '  host1:',
      '    nics:',
      '      eth0: {mac: 00:1b:21:00:01:00}',
      '  host2:',
      '    nics:',
      '      eth0: {mac: 00:1B:21:00:01:00}',
    );
    expect(err(text)).toBe(
      'lab.yaml:7:19: hosts.host2.nics.eth0.mac: duplicate MAC 00:1b:21:00:01:00 (already on host1:eth0)',
    );
  });

  it('a duplicate key, at the second', () => {
    expect(err(yaml(...TWO_HOSTS.slice(0, 6), '  host1:', '    cpus: 4'))).toBe(
      "lab.yaml:7:3: hosts: duplicate key 'host1' (first at line 2)",
    );
    expect(err(yaml('hosts:', '  host1:', '    cpus: 2', '    cpus: 4'))).toBe(
      "lab.yaml:4:5: hosts.host1: duplicate key 'cpus' (first at line 3)",
    );
  });

  it('a wire end that does not exist, or is not HOST:NIC', () => {
    const wire = (between: string) => yaml(...TWO_HOSTS.slice(0, 11), `  - between: ${between}`);
    expect(err(wire('[host1:eth0, host3:eth0]'))).toBe(
      "lab.yaml:12:27: wires[0].between[1]: unknown host 'host3'",
    );
    expect(err(wire('[host1:eth1, host2:eth0]'))).toBe(
      "lab.yaml:12:15: wires[0].between[0]: host1 has no NIC 'eth1' (its NICs: eth0)",
    );
    expect(err(wire('[host1, host2:eth0]'))).toBe(
      "lab.yaml:12:15: wires[0].between[0]: expected HOST:NIC, got 'host1'",
    );
    expect(err(wire('[host1:eth0]'))).toBe(
      'lab.yaml:12:14: wires[0].between: expected two ends HOST:NIC, got 1',
    );
    expect(err(wire('host1:eth0'))).toBe(
      "lab.yaml:12:14: wires[0].between: expected a list of two ends [HOST:NIC, HOST:NIC], got 'host1:eth0'",
    );
    expect(err(wire('[host1:eth0, host1:eth0]'))).toBe(
      'lab.yaml:12:27: wires[0].between[1]: both ends are host1:eth0',
    );
    expect(err(yaml(...TWO_HOSTS.slice(0, 11), '  - delay: 1ms'))).toBe(
      "lab.yaml:12:5: wires[0]: missing key 'between'",
    );
  });

  it('a NIC on two wires, at the second', () => {
    const text = yaml(
      ...TWO_HOSTS,
      '  - between: [host2:eth0, host1:eth0]', // 13
    );
    expect(err(text)).toBe('lab.yaml:13:15: wires[1].between[0]: host2:eth0 is already on wires[0]');
  });

  it('irq_affinity: a CPU the host does not have, or not one per queue', () => {
    const host = (...nic: string[]) =>
      yaml(
        'hosts:',
        '  host1:',
        '    cpus: 2',
        '    nics:',
        '      eth0:',
        ...nic.map((l) => `        ${l}`),
      );
    expect(err(host('queues: 2', 'irq_affinity: [1, 2]'))).toBe(
      'lab.yaml:7:27: hosts.host1.nics.eth0.irq_affinity[1]: expected a CPU from 0 to 1 (host1 has 2 CPUs), got 2',
    );
    expect(err(host('queues: 2', 'irq_affinity: [1]'))).toBe(
      'lab.yaml:7:23: hosts.host1.nics.eth0.irq_affinity: expected 2 CPUs (one per queue), got 1',
    );
    expect(err(host('irq_affinity: 0'))).toBe(
      'lab.yaml:6:23: hosts.host1.nics.eth0.irq_affinity: expected a list of CPUs, one per queue, got 0',
    );
    // cpus written after the NICs still counts
    const later = yaml('hosts:', '  host1:', '    nics:', '      eth0: {irq_affinity: [3]}', '    cpus: 4');
    expect(ok(later).hosts[0].nics[0].irqAffinity).toEqual([3]);
  });

  it('reports the error written first, whatever the order of the checks', () => {
    // host2's bad cpus (line 9) comes after host1's bad irq_affinity (line 5), itself before host1's cpus.
    const text = yaml(
      'hosts:', //                                  1
      '  host1:', //                                2
      '    nics:', //                               3
      '      eth0:', //                             4
      '        irq_affinity: [7]', //               5
      '    cpus: 2', //                             6
      '  host2:', //                                7
      '    nics: {eth0: {}}', //                    8
      '    cpus: 0', //                             9
    );
    expect(err(text)).toBe(
      'lab.yaml:5:24: hosts.host1.nics.eth0.irq_affinity[0]: expected a CPU from 0 to 1 (host1 has 2 CPUs), got 7',
    );
    // wires written before hosts: the wire's error is first
    const wiresFirst = yaml(
      'wires:',
      '  - between: [a:eth0, b:eth9]',
      'hosts:',
      '  a: {nics: {eth0: {}}}',
      '  b: {cpus: 99}',
    );
    expect(err(wiresFirst)).toBe("lab.yaml:2:23: wires[0].between[1]: b has no NIC 'eth9' (it has none)");
  });

  it('tc forms: time, rate, percent, state', () => {
    const wire = (...lines: string[]) => yaml(...TWO_HOSTS, ...lines.map((l) => `    ${l}`));
    expect(ok(wire('delay: 100us', 'jitter: 0', 'loss: 0.5', 'rate: 1gbit')).wires[0]).toMatchObject({
      delay: 100_000,
      jitter: 0,
      loss: 0.5,
      rate: 1e9,
    });
    expect(
      ok(wire('delay: 1.5ms', 'jitter: 20USEC', 'corrupt: 1%', 'duplicate: 2%', 'reorder: 25%')).wires[0],
    ).toMatchObject({
      delay: 1_500_000,
      jitter: 20_000,
      corrupt: 1,
      duplicate: 2,
      reorder: 25,
    });
    expect(ok(wire('delay: 2s', 'rate: 1mbps')).wires[0]).toMatchObject({ delay: 2e9, rate: 8e6 });
    expect(ok(wire('state: up')).wires[0].up).toBe(true);
    expect(err(wire('delay: 10 ms'))).toBe(
      "lab.yaml:13:12: wires[0].delay: expected a time like 10ms (s, ms, us, ns), got '10 ms'",
    );
    expect(err(wire('jitter: 10m'))).toBe(
      "lab.yaml:13:13: wires[0].jitter: expected a time like 10ms (s, ms, us, ns), got '10m'",
    );
    expect(err(wire('delay: -1ms'))).toMatch(/^lab\.yaml:13:12: wires\[0\]\.delay: .*got '-1ms'$/);
    expect(err(wire('loss: 101%'))).toBe(
      "lab.yaml:13:11: wires[0].loss: expected a percentage from 0% to 100%, got '101%'",
    );
    expect(err(wire('loss: 1 %'))).toMatch(/got '1 %'$/);
    expect(err(wire('rate: 0'))).toBe(
      'lab.yaml:13:11: wires[0].rate: expected a rate above 0 like 100mbit or 1gbit, got 0',
    );
    expect(err(wire('rate: fast'))).toBe(
      "lab.yaml:13:11: wires[0].rate: expected a rate above 0 like 100mbit or 1gbit, got 'fast'",
    );
    expect(err(wire('state: on'))).toBe("lab.yaml:13:12: wires[0].state: expected up or down, got 'on'");
  });
});

describe('tc units', () => {
  it('time: s, ms, us, ns and their long forms, any case; a bare number is nanoseconds (get_time64)', () => {
    expect(parseTcTime('1s')).toBe(1e9);
    expect(parseTcTime('2secs')).toBe(2e9);
    expect(parseTcTime('10MSEC')).toBe(10e6);
    expect(parseTcTime('100usec')).toBe(100e3);
    expect(parseTcTime('5nsecs')).toBe(5);
    expect(parseTcTime('50000000')).toBe(50e6);
    expect(parseTcTime('.5ms')).toBe(500e3);
    expect(parseTcTime('1e3us')).toBe(1e6);
    for (const bad of ['', 'ms', '10 ms', '10m', '-1ms', '0x10', 'inf', '10msx'])
      expect(parseTcTime(bad)).toBeNull();
  });

  it('rate: SI bits, IEC bits, bytes; a bare number is bits', () => {
    expect(parseTcRate('1gbit')).toBe(1e9);
    expect(parseTcRate('100Mbit')).toBe(1e8);
    expect(parseTcRate('64kbit')).toBe(64e3);
    expect(parseTcRate('1tbit')).toBe(1e12);
    expect(parseTcRate('1kibit')).toBe(1024);
    expect(parseTcRate('1mibit')).toBe(1024 ** 2);
    expect(parseTcRate('1gibit')).toBe(1024 ** 3);
    expect(parseTcRate('1bps')).toBe(8);
    expect(parseTcRate('1kbps')).toBe(8e3);
    expect(parseTcRate('1MBps')).toBe(8e6);
    expect(parseTcRate('1gbps')).toBe(8e9);
    expect(parseTcRate('1000')).toBe(1000);
    expect(parseTcRate('1000bit')).toBe(1000);
    for (const bad of ['', 'gbit', '1 gbit', '1gb', '-1gbit']) expect(parseTcRate(bad)).toBeNull();
  });

  it('percent: N% or a bare number, 0 to 100', () => {
    expect(parsePercent('1%')).toBe(1);
    expect(parsePercent('0.25%')).toBe(0.25);
    expect(parsePercent('100')).toBe(100);
    for (const bad of ['', '%', '100.1%', '1 %', '-1%', '1%%']) expect(parsePercent(bad)).toBeNull();
  });
});

describe('loadTopologyFile', () => {
  it('names a missing file as the shell would', () => {
    expect(loadTopologyFile('/nonexistent/lab.yaml')).toEqual({
      error: 'skblab: /nonexistent/lab.yaml: No such file or directory',
    });
    const dir = mkdtempSync(join(tmpdir(), 'topology-'));
    expect(loadTopologyFile(dir)).toEqual({ error: `skblab: ${dir}: Is a directory` });
  });

  it('names the file as given in errors', () => {
    const r = loadTopologyFile(join(EXAMPLES, 'two-hosts.yaml'));
    expect(isTopologyError(r) ? r.error : r.file).toBe(join(EXAMPLES, 'two-hosts.yaml'));
  });
});
