import { Lab, buildHardware, type ConfigRecord } from '@skblab/runtime';
import { newShell, runScript, bootTopology } from '@skblab/shell';
import { defaultTopology } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { CONFIG_ENTRY_MAX_BYTES, ConfigEntryError, decodeConfigEntry, encodeConfigEntry } from './config-log';

const good: ConfigRecord = {
  host: 'host1',
  rng: 12345,
  comm: 'ip',
  cpu: 0,
  op: { op: 'netns.add', name: 'ns1' },
};

function refused(raw: string): string {
  try {
    decodeConfigEntry(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigEntryError);
    return (e as Error).message;
  }
  throw new Error(`taken: ${raw}`);
}

describe('configuration log entries', () => {
  it('takes back what it wrote', () => {
    expect(decodeConfigEntry(encodeConfigEntry(good))).toEqual(good);
  });

  it.each<[string, string, string | RegExp]>([
    ['not JSON', 'not json at all', 'not JSON'],
    [
      'a command line (what the log held before), even a hostile one',
      '{"host":"host1","line":"tcpdump -i lo -c 1 -w x.pcap &","rng":0}',
      "unknown field 'line'",
    ],
    ['an array', '[1,2]', 'not an object'],
    ['null', 'null', 'not an object'],
    ['a missing op', '{"host":"host1","rng":1,"comm":"ip","cpu":0}', "missing field 'op'"],
    ['a bad host', JSON.stringify({ ...good, host: '../etc' }), 'bad host'],
    ['rng 0 (never a state)', JSON.stringify({ ...good, rng: 0 }), 'bad rng'],
    ['a fractional cpu', JSON.stringify({ ...good, cpu: 0.5 }), 'bad cpu'],
    [
      'an unknown operation',
      JSON.stringify({ ...good, op: { op: 'exec', argv: ['sh'] } }),
      /unknown configuration operation "exec"/,
    ],
    [
      'an operation with an extra field',
      JSON.stringify({ ...good, op: { op: 'netns.add', name: 'a', cmd: 'rm' } }),
      "netns.add: unknown field 'cmd'",
    ],
    [
      'a device name with a slash',
      JSON.stringify({ ...good, op: { op: 'link.del', netns: '', dev: '../x' } }),
      "link.del: bad value for 'dev'",
    ],
    [
      'a namespace name with a slash',
      JSON.stringify({ ...good, op: { op: 'netns.add', name: '/tmp/x' } }),
      "netns.add: bad value for 'name'",
    ],
    [
      'a sysctl value with a newline',
      JSON.stringify({
        ...good,
        op: { op: 'sysctl.write', netns: '', name: 'net.ipv4.ip_forward', value: '1\n2' },
      }),
      "sysctl.write: bad value for 'value'",
    ],
    [
      'a route with an out-of-range prefix',
      JSON.stringify({
        ...good,
        op: {
          op: 'route.add',
          netns: '',
          mode: 'add',
          route: {
            dst: 0,
            plen: 33,
            gw: 0,
            dev: null,
            metric: 0,
            type: 1,
            protocol: 3,
            scope: null,
            table: 254,
            prefsrc: 0,
            mtu: 0,
            advmss: 0,
            initcwnd: 0,
            locks: 0,
          },
        },
      }),
      "route.add: bad value for 'route'",
    ],
    ['an oversize entry', JSON.stringify({ ...good, comm: 'x'.repeat(CONFIG_ENTRY_MAX_BYTES) }), /more than/],
    ['deeply nested JSON', '['.repeat(5000) + ']'.repeat(5000), 'not an object'],
  ])('refuses %s', (_what, raw, why) => {
    const msg = refused(raw);
    if (typeof why === 'string') expect(msg).toBe(why);
    else expect(msg).toMatch(why);
  });

  it('will not write an entry it would refuse', () => {
    expect(() => encodeConfigEntry({ ...good, op: { op: 'netns.add', name: 'a/b' } })).toThrow(
      ConfigEntryError,
    );
  });

  it("replays a shell's configuration in another view to the same kernel state, through the log's text", async () => {
    const spec = defaultTopology();
    const views = [new Lab(), new Lab()];
    for (const l of views) buildHardware(l, spec);
    const [shellLab, serviceLab] = views;
    const log: string[] = [];
    shellLab.onConfig = (r) => log.push(encodeConfigEntry(r));
    expect(await bootTopology(shellLab, spec, defaultCommands())).toBeNull();
    const script = [
      'ip netns add ns1',
      'ip link add veth0 type veth peer name veth1',
      'ip link set veth1 netns ns1',
      'ip addr add 10.0.0.1/24 dev veth0 label veth0:x',
      'ip link set veth0 up mtu 1400 txqueuelen 500 promisc on',
      'ip -n ns1 addr add 10.0.0.2/24 dev veth1',
      'ip -n ns1 link set veth1 up',
      'ip -n ns1 link set lo up',
      'ip route add 10.9.0.0/16 via 10.0.0.2 metric 5',
      'ip route add 10.8.0.0/16 dev veth0',
      'ip route del 10.8.0.0/16',
      'ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev veth0',
      'ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1',
      'tc qdisc add dev eth0 root netem delay 10ms',
      'ethtool -G eth0 rx 512',
      'ip link add veth2 type veth peer name veth3',
      'ip link set veth3 name vx3',
      'ip link del veth2',
      'ip addr add 10.1.0.1/24 dev eth0',
      'ip addr del 10.1.0.1/24 dev eth0',
    ].join('\n');
    const host = shellLab.hosts.get('host1')!;
    let out = '';
    const sh = newShell(shellLab, host, defaultCommands(), {
      out: (s) => void (out += s),
      err: (s) => void (out += s),
    });
    expect(await runScript(sh, script)).toBe(0);
    expect(out).toBe('net.ipv4.ip_forward = 1\n');
    // Reading changes nothing: no entry.
    const before = log.length;
    await runScript(sh, 'ip addr\nip route\nsysctl net.ipv4.ip_forward\ntc qdisc show');
    expect(log.length).toBe(before);

    for (const raw of log) expect(serviceLab.replay(decodeConfigEntry(raw)).err).toBe(0);
    const show = async (lab: Lab) => {
      let o = '';
      const s = newShell(lab, lab.hosts.get('host1')!, defaultCommands(), {
        out: (x) => void (o += x),
        err: (x) => void (o += x),
      });
      await runScript(
        s,
        [
          'ip -d link',
          'ip addr',
          'ip route',
          'ip neigh',
          'ip -n ns1 addr',
          'ip netns exec ns1 sysctl net.ipv4.ip_forward',
          'tc qdisc show dev eth0',
          'ethtool -g eth0',
        ].join('\n'),
      );
      return o;
    };
    const a = await show(shellLab);
    expect(a).toContain('veth0:x');
    expect(a).toContain('10.9.0.0/16 via 10.0.0.2 dev veth0 metric 5');
    expect(a).toContain('netem');
    expect(await show(serviceLab)).toBe(a);
  });
});
