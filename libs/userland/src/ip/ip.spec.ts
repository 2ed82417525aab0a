/**
 * `ip` against lab states the replayed real captures cannot set up by `ip` commands alone: neighbours
 * in resolution, traffic counters, learned path MTUs, and `ip netns exec`. Expected strings are the real
 * `ip` output for the same states (captured on Linux 6.18 / iproute2 6.1 with ping) unless noted.
 */
import { dev_get_by_name, type NetDevice } from '@skblab/kernel';
import { __neigh_create, __neigh_event_send } from '@skblab/kernel/net/core/neighbour';
import { parseIpv4 } from '@skblab/wire/address';
import { IpHarness } from './testing';

const ip4 = (s: string) => parseIpv4(s)!;

const VETH_NS1 = [
  'ip netns add ns1',
  'ip link add veth0 type veth peer name veth1',
  'ip link set veth0 address 02:00:00:00:00:01',
  'ip link set veth1 address 02:00:00:00:00:02',
  'ip link set veth1 netns ns1',
  'ip addr add 10.0.0.1/24 dev veth0',
  'ip link set veth0 up',
  'ip -n ns1 addr add 10.0.0.2/24 dev veth1',
  'ip -n ns1 link set veth1 up',
  'ip -n ns1 link set lo up',
];

async function vethNs1(): Promise<{ h: IpHarness; veth0: NetDevice; veth1: NetDevice }> {
  const h = new IpHarness();
  await h.setup(VETH_NS1);
  const veth0 = dev_get_by_name(h.host.initNet, 'veth0')!;
  const veth1 = dev_get_by_name(h.host.namedNets.get('ns1')!, 'veth1')!;
  return { h, veth0, veth1 };
}

describe('ip neigh while ARP resolves', () => {
  it('shows INCOMPLETE while soliciting, FAILED once the probes ran out (`ping 10.0.0.99`)', async () => {
    const { h, veth0 } = await vethNs1();
    const n = __neigh_create(h.lab, h.host.initNet, veth0, ip4('10.0.0.99'));
    h.lab.inProcess('ping', () => __neigh_event_send(h.lab, n, null));
    expect((await h.run('ip neigh')).out).toBe('10.0.0.99 dev veth0 INCOMPLETE \n');
    expect((await h.run('ip -j neigh')).out).toBe(
      '[{"dst":"10.0.0.99","dev":"veth0","state":["INCOMPLETE"]}]\n',
    );
    h.lab.runTimersUntil(h.lab.now() + 5_000_000_000);
    expect((await h.run('ip neigh')).out).toBe('10.0.0.99 dev veth0 FAILED \n');
    expect((await h.run('ip neigh show dev veth0')).out).toBe('10.0.0.99 FAILED \n');
    expect((await h.run('ip -j neigh')).out).toBe('[{"dst":"10.0.0.99","dev":"veth0","state":["FAILED"]}]\n');
    expect((await h.run('ip neigh show nud failed')).out).toBe('10.0.0.99 dev veth0 FAILED \n');
    expect((await h.run('ip neigh show nud reachable')).out).toBe('');
  });

  it('learns the peer from its ARP reply: REACHABLE with its address', async () => {
    const { h, veth0 } = await vethNs1();
    const n = __neigh_create(h.lab, h.host.initNet, veth0, ip4('10.0.0.2'));
    h.lab.inProcess('ping', () => __neigh_event_send(h.lab, n, null));
    expect((await h.run('ip neigh')).out).toBe('10.0.0.2 dev veth0 lladdr 02:00:00:00:00:02 REACHABLE \n');
    expect((await h.run('ip -j neigh')).out).toBe(
      '[{"dst":"10.0.0.2","dev":"veth0","lladdr":"02:00:00:00:00:02","state":["REACHABLE"]}]\n',
    );
  });

  it('hides lo and NOARP entries unless asked for them (`nud all`)', async () => {
    const h = new IpHarness();
    const n = __neigh_create(h.lab, h.host.initNet, h.host.initNet.loopbackDev, ip4('127.0.0.1'));
    expect(n.nudState).toBe(0x40);
    expect((await h.run('ip neigh')).out).toBe('');
    expect((await h.run('ip neigh show nud all')).out).toBe(
      '127.0.0.1 dev lo lladdr 00:00:00:00:00:00 NOARP \n',
    );
  });
});

describe('ip -s link with traffic', () => {
  it('prints the counters in columns as wide as their headers (veth0 after `ping -c1 10.0.0.2` and an ARP)', async () => {
    const { h, veth0, veth1 } = await vethNs1();
    veth0.stats.txPackets = 4;
    veth0.stats.txBytes = 224;
    veth1.stats.txPackets = 5; // a veth's RX is its peer's TX
    veth1.stats.txBytes = 406;
    expect((await h.run('ip -s link show veth0')).out).toBe(
      '3: veth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns ns1\n' +
        '    RX:  bytes packets errors dropped  missed   mcast           \n' +
        '           406       5      0       0       0       0 \n' +
        '    TX:  bytes packets errors dropped carrier collsns           \n' +
        '           224       4      0       0       0       0 \n',
    );
    expect((await h.run('ip -j -s link show veth0')).out).toContain(
      '"stats64":{"rx":{"bytes":406,"packets":5,"errors":0,"dropped":0,"over_errors":0,"multicast":0},' +
        '"tx":{"bytes":224,"packets":4,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]\n',
    );
  });

  it('widens every row of a column for a big counter (iproute2 size_columns, from its commit message)', async () => {
    const h = new IpHarness();
    const lo = h.host.initNet.loopbackDev;
    lo.stats.txBytes = 126570234447969; // lo's RX is its TX
    lo.stats.txPackets = 15016149200;
    const out = (await h.run('ip -s link show lo')).out.split('\n').slice(2).join('\n');
    expect(out).toBe(
      '    RX:       bytes     packets errors dropped  missed   mcast           \n' +
        '    126570234447969 15016149200      0       0       0       0 \n' +
        '    TX:       bytes     packets errors dropped carrier collsns           \n' +
        '    126570234447969 15016149200      0       0       0       0 \n',
    );
  });

  it('counts carrier changes (transns) as the kernel does: off at creation, then each up and down', async () => {
    const h = new IpHarness();
    await h.setup(['ip link add veth0 type veth peer name veth1']);
    const transns = async () =>
      (await h.run('ip -s -s link show veth0')).out.split('\n')[9].trim().split(/\s+/)[4];
    expect(await transns()).toBe('1');
    await h.setup(['ip link set veth0 up', 'ip link set veth1 up']);
    expect(await transns()).toBe('2');
    await h.setup(['ip link set veth1 down']);
    expect(await transns()).toBe('3');
  });
});

describe('ip route get with a learned path MTU', () => {
  it('shows the exception with its expiry (print_rta_cacheinfo: "expires %dsec")', async () => {
    const { h } = await vethNs1();
    await h.setup(['ip route add 10.0.1.0/24 via 10.0.0.2']);
    h.host.initNet.fnhe.set(ip4('10.0.1.2'), { mtu: 1400, expires: h.lab.now() + 597_500_000_000 });
    expect((await h.run('ip route get 10.0.1.2')).out).toBe(
      '10.0.1.2 via 10.0.0.2 dev veth0 src 10.0.0.1 uid 0 \n    cache expires 597sec mtu 1400 \n',
    );
    expect((await h.run('ip -j route get 10.0.1.2')).out).toBe(
      '[{"dst":"10.0.1.2","gateway":"10.0.0.2","dev":"veth0","prefsrc":"10.0.0.1","flags":[],"uid":0,' +
        '"cache":[],"expires":597,"metrics":[{"mtu":1400}]}]\n',
    );
  });
});

describe('ip netns exec', () => {
  it('runs the command in the namespace, passing its exit status through', async () => {
    const { h } = await vethNs1();
    const viaExec = await h.run('ip netns exec ns1 ip link show veth1');
    expect(viaExec).toEqual(await h.run('ip -n ns1 link show veth1'));
    expect(viaExec.out).toBe(
      '2: veth1@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n',
    );
    expect(await h.run('ip netns exec ns1 echo hi')).toEqual({ out: 'hi\n', err: '', status: 0 });
    expect((await h.run('ip netns exec ns1 false')).status).toBe(1);
    expect((await h.run('ip netns exec ns1 ip netns identify')).out).toBe('ns1\n');
    expect((await h.run('ip netns identify')).out).toBe('\n');
  });

  it('names the unnamed initial namespace by its id from inside another (link-netnsid, netns list-id)', async () => {
    const { h } = await vethNs1();
    expect((await h.run('ip -n ns1 -j link show veth1')).out).toContain('"link_netnsid":0}]');
    expect((await h.run('ip -n ns1 netns list')).out).toBe('ns1\n');
    expect((await h.run('ip netns list-id')).out).toBe('nsid 0 (iproute2 netns name: ns1)\n');
  });
});

describe('ip link state', () => {
  it('keeps a stale operstate the way linkwatch does: a down peer moved away leaves LOWERLAYERDOWN', async () => {
    const h = new IpHarness();
    await h.setup([
      'ip netns add ns1',
      'ip link add vethC type veth peer name vethD',
      'ip link set vethC up',
    ]);
    expect((await h.run('ip link show vethC')).out).toContain('state LOWERLAYERDOWN');
    await h.setup(['ip link set vethD netns ns1']);
    expect((await h.run('ip link show vethC')).out).toMatch(
      /^3: vethC@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> .* state LOWERLAYERDOWN /,
    );
    await h.setup(['ip -n ns1 link set vethD up']);
    expect((await h.run('ip link show vethC')).out).toContain(
      '<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP ',
    );
    await h.setup(['ip -n ns1 link set vethD down']);
    expect((await h.run('ip link show vethC')).out).toContain(
      '<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN ',
    );
  });
});

describe('ip tcp_metrics', () => {
  it('`flush all` forgets the Fast Open cookies the namespace cached', async () => {
    const h = new IpHarness();
    const net = h.host.initNet;
    net.tcpFastopenCache.set(ip4('192.0.2.1'), {
      mss: 1460,
      cookie: Uint8Array.of(1, 2, 3, 4),
      exp: false,
      synLoss: 0,
      lastSynLoss: 0,
    });
    expect(await h.run('ip tcp_metrics flush all')).toEqual({ out: '', err: '', status: 0 });
    expect(net.tcpFastopenCache.size).toBe(0);
  });
});

describe('ip route metrics (RTAX_MTU, RTAX_ADVMSS, RTAX_INITCWND, RTAX_LOCK)', () => {
  it('takes [lock] VALUE for mtu, advmss and initcwnd, shows them in print_rta_metrics order, and change replaces them', async () => {
    const { h } = await vethNs1();
    await h.setup(['ip route add 10.0.1.2 via 10.0.0.2 dev veth0 initcwnd 11 advmss 600 mtu lock 640']);
    expect((await h.run('ip route show 10.0.1.2')).out).toBe(
      '10.0.1.2 via 10.0.0.2 dev veth0 mtu lock 640 advmss 600 initcwnd 11 \n',
    );
    expect((await h.run('ip -j route show 10.0.1.2')).out).toBe(
      '[{"dst":"10.0.1.2","gateway":"10.0.0.2","dev":"veth0","flags":[],' +
        '"metrics":[{"mtu":640,"advmss":600,"initcwnd":11}]}]\n',
    );
    const e = h.host.initNet.fib.find((x) => x.dst === ip4('10.0.1.2'))!;
    expect([e.mtu, e.advmss, e.initcwnd, e.locks]).toEqual([640, 600, 11, 1 << 2]);
    await h.setup(['ip route change 10.0.1.2 via 10.0.0.2 dev veth0 advmss 1460 mtu lock 1500']);
    expect((await h.run('ip route show 10.0.1.2')).out).toBe(
      '10.0.1.2 via 10.0.0.2 dev veth0 mtu lock 1500 advmss 1460 \n',
    );
    const bad = await h.run('ip route add 10.0.2.0/24 via 10.0.0.2 advmss x');
    expect(bad.err).toBe('Error: argument "x" is wrong: "mss" value is invalid\n\n');
    expect(bad.status).toBe(255);
  });
});

describe('ip link add of a kind this kernel has no driver for', () => {
  it("parses a VRF's table and answers as a kernel without the vrf module (checked on this machine)", async () => {
    const h = new IpHarness();
    const unknown = { out: '', err: 'Error: Unknown device type.\n', status: 2 };
    expect(await h.run('ip link add lisa type vrf table 1101')).toEqual(unknown);
    expect(await h.run('ip link add d0 type dummy')).toEqual(unknown);
    expect(await h.run('ip link add d0 type dummy foo')).toEqual(unknown);
    expect(await h.run('ip link add lisa type vrf')).toEqual(unknown);
    expect(await h.run('ip link add lisa type vrf foo')).toEqual({
      out: '',
      err: 'vrf: unknown option "foo"?\nUsage: ... vrf table TABLEID\n',
      status: 1,
    });
    expect(await h.run('ip link add x0 type nosuchkind foo')).toEqual({
      out: '',
      err: 'Garbage instead of arguments "foo ...". Try "ip link help".\n',
      status: 1,
    });
  });
});
