/**
 * The NIC model against the kernel's documented semantics (igb's rings and counters have no counterpart on
 * the real side of the differential suite, whose hosts are joined by veth): a full TX ring stops the queue
 * and the qdisc holds, then drops past txqueuelen, with the sender's counters; a full RX ring drops in the
 * NIC (rx_missed_errors, `ip -s link`'s missed); NAPI's budget runs out (time_squeeze); GRO hands lists of
 * gro_normal_batch up; RSS spreads flows over the queues, each queue's IRQ on its own CPU.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'skblab');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-nic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** host1 and host2 on one wire; `nic2` adds keys to host2's eth0, `wire` to the wire. */
function topology(name: string, o: { nic1?: string; nic2?: string; wire?: string }): string {
  const f = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    f,
    [
      'hosts:',
      '  host1:',
      '    nics:',
      '      eth0:',
      '        address: 192.168.1.1/24',
      ...(o.nic1 ? [`        ${o.nic1}`] : []),
      '  host2:',
      '    nics:',
      '      eth0:',
      '        address: 192.168.1.2/24',
      ...(o.nic2 ? [`        ${o.nic2}`] : []),
      'wires:',
      '  - between: [host1:eth0, host2:eth0]',
      ...(o.wire ? [`    ${o.wire}`] : []),
      '',
    ].join('\n'),
  );
  return f;
}

function run(topo: string, lines: string[]): string {
  const r = spawnSync(process.execPath, [BIN, 'shell', '-f', topo, 'host1'], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** The value of `name: N` in ethtool -S output (the first such line after `marker`). */
function stat(out: string, marker: string, name: string): number {
  const m = new RegExp(`^\\s+${name}: (\\d+)$`, 'm').exec(out.slice(out.indexOf(marker)));
  if (!m) throw new Error(`no ${name} after ${marker} in:\n${out}`);
  return Number(m[1]);
}

/** A /proc/net/snmp group's counters after `marker`. */
function snmp(out: string, marker: string, group: string): Record<string, number> {
  const lines = out
    .slice(out.indexOf(marker))
    .split('\n')
    .filter((l) => l.startsWith(`${group}: `));
  const keys = lines[0].split(/\s+/).slice(1);
  const vals = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
}

describe('igb and the qdisc under a burst', () => {
  it('Byte Queue Limits stop the queue; pfifo_fast holds, then drops past txqueuelen, and the sender counts it', () => {
    const out = run(topology('slow', { wire: 'rate: 10mbit' }), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'ip link set eth0 txqueuelen 50',
      'on host2 iperf -s -u > /dev/null &',
      'iperf -c 192.168.1.2 -u -b 1000M -l 64 -n 32000',
      'echo @@host1',
      'ethtool -S eth0',
      'tc -s qdisc show dev eth0',
      'cat /proc/net/snmp',
      'cat /sys/class/net/eth0/queues/tx-0/byte_queue_limits/limit',
      'echo @@xoff',
      'skbtrace -n 2000 | grep -c STACK_XOFF',
      'echo @@host2',
      'on host2 ethtool -S eth0',
      'on host2 cat /proc/net/snmp',
    ]);
    const sent = Number(/Sent (\d+) datagrams/.exec(out)![1]);
    const q = /Sent \d+ bytes (\d+) pkt \(dropped (\d+), overlimits 0 requeues (\d+)\)/.exec(out)!;
    const [qdiscSent, qdiscDropped] = [Number(q[1]), Number(q[2])];
    // netdev_tx_sent_queue stopped the queue for the stack once the bytes in flight passed BQL's limit (which
    // grew from 0 as the ring ran dry), so the burst waited in the qdisc, not in the 256-descriptor ring.
    expect(Number(/@@xoff\n(\d+)/.exec(out)![1])).toBeGreaterThan(0);
    const limit = Number(/^(\d+)$/m.exec(out.slice(out.indexOf('Udp: ')))![1]);
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThan(256 * 106);
    // pfifo_fast's drops are the sender's: NET_XMIT_DROP → ENOBUFS, hidden from UDP without IP_RECVERR.
    expect(qdiscDropped).toBeGreaterThan(0);
    const udp1 = snmp(out, '@@host1', 'Udp');
    const ip1 = snmp(out, '@@host1', 'Ip');
    expect([udp1.SndbufErrors, ip1.OutDiscards]).toEqual([qdiscDropped, qdiscDropped]);
    // Every frame the qdisc sent crossed the wire; every datagram is either dropped or delivered.
    expect(stat(out, '@@host1', 'tx_packets')).toBe(qdiscSent);
    expect(stat(out, '@@host2', 'rx_packets')).toBe(qdiscSent);
    // Every datagram host1's UDP sent arrived at host2 (the qdisc's drops are not counted as sent).
    const udp2 = snmp(out, '@@host2', 'Udp');
    expect(udp2.InDatagrams + udp2.RcvbufErrors + udp2.NoPorts).toBe(udp1.OutDatagrams);
    expect(udp1.OutDatagrams + udp1.SndbufErrors).toBeGreaterThanOrEqual(sent);
  });

  it('a full RX ring drops in the NIC: rx_missed_errors, ip -s link missed; GRO hands lists of 8 up', () => {
    const out = run(topology('fast', { nic2: 'rx_ring: 80', wire: 'rate: 10gbit' }), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'on host2 iperf -s -u > /dev/null &',
      'iperf -c 192.168.1.2 -u -b 1000M -l 64 -n 64000 > /dev/null',
      'echo @@host1',
      'ethtool -S eth0',
      'echo @@host2',
      'on host2 ethtool -S eth0',
      'on host2 ip -s link show eth0',
      'skbtrace -n 200',
    ]);
    const missed = stat(out, '@@host2', 'rx_missed_errors');
    expect(missed).toBeGreaterThan(0);
    // One queue: the MAC's MPC counter; with no buffer (RNBC) too; both are rx_fifo_errors.
    expect(stat(out, '@@host2', 'rx_no_buffer_count')).toBe(missed);
    expect(stat(out, '@@host2', 'rx_fifo_errors')).toBe(missed);
    const link = /RX: +bytes packets errors dropped +missed +mcast +\n +(\d+) +(\d+) +0 +0 +(\d+)/.exec(out)!;
    const [rxPackets, linkMissed] = [Number(link[2]), Number(link[3])];
    expect(linkMissed).toBe(missed);
    // What host1 put on the wire either reached host2's ring or was missed there.
    expect(stat(out, '@@host1', 'tx_packets')).toBe(rxPackets + missed);
    expect(out).toContain('napi->rx_list 8/8: gro_normal_list');
  });

  it("NAPI polls within netdev_budget: a long burst runs it out (softnet_stat's time_squeeze)", () => {
    const out = run(topology('squeeze', { wire: 'rate: 10gbit' }), [
      'on host2 sysctl -w net.core.netdev_budget=16 > /dev/null',
      'ping -c 1 192.168.1.2 > /dev/null',
      'on host2 iperf -s -u > /dev/null &',
      'iperf -c 192.168.1.2 -u -b 1000M -l 64 -n 32000 > /dev/null',
      'on host2 cat /proc/net/softnet_stat',
    ]);
    const squeezes = out
      .trim()
      .split('\n')
      .map((l) => parseInt(l.split(' ')[2], 16));
    expect(squeezes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('RSS spreads flows over the queues; each queue raises its IRQ on the CPU it is bound to', () => {
    const out = run(topology('mq', { nic1: 'queues: 2', nic2: 'queues: 2\n        irq_affinity: [0, 1]' }), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'on host2 nc -u -l 5001 > /dev/null &',
      'on host2 nc -u -l 5002 > /dev/null &',
      'echo a | nc -u -w 0 192.168.1.2 5001',
      'echo b | nc -u -w 0 192.168.1.2 5002',
      'tc qdisc show dev eth0',
      'on host2 cat /proc/interrupts',
    ]);
    expect(out).toContain('qdisc mq 0: root \nqdisc pfifo_fast 0: parent :2 bands 3');
    const irq = (name: string): number[] => {
      const l = out.split('\n').find((x) => x.endsWith(` ${name}`))!;
      return l.trim().split(/\s+/).slice(1, 3).map(Number);
    };
    const [q0, q1] = [irq('eth0-TxRx-0'), irq('eth0-TxRx-1')];
    expect(q0[0]).toBeGreaterThan(0);
    expect(q0[1]).toBe(0);
    expect(q1[0]).toBe(0);
    expect(q1[1]).toBeGreaterThan(0);
  });
});

describe('qdiscs on a NIC', () => {
  it('netem: duplicate gives (DUP!) replies; a rate delays by the frame time, not more and more', () => {
    const out = run(topology('netem', {}), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'tc qdisc add dev eth0 root netem duplicate 100%',
      'ping -c 2 192.168.1.2',
      'tc qdisc replace dev eth0 root netem delay 100ms rate 1mbit',
      'ping -c 4 -i 0.01 -s 1000 192.168.1.2',
    ]);
    expect(out).toContain('icmp_seq=2 ttl=64 time=0.040 ms (DUP!)');
    expect(out).toContain('2 packets transmitted, 2 received, +2 duplicates, 0% packet loss');
    // 1042 bytes at 1 Mbit/s: 8.3 ms on top of the 100 ms, for each of the four (sent 10 ms apart).
    const rtts = [...out.matchAll(/1008 bytes from .* time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    expect(rtts).toHaveLength(4);
    for (const t of rtts) expect(t).toBeCloseTo(108.4, 0);
  });

  it('netem corrupt: the checksum is computed before the bit flips, so the receiver counts InCsumErrors', () => {
    const out = run(topology('corrupt', {}), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'on host2 nc -u -l 5000 > /dev/null &',
      'tc qdisc add dev eth0 root netem corrupt 100%',
      ...Array.from({ length: 20 }, () => 'echo hello | nc -u -w 0 192.168.1.2 5000'),
      'tc -s qdisc show dev eth0',
      'on host2 cat /proc/net/snmp',
    ]);
    // The flipped bit lands anywhere in the frame; in the UDP payload or header it fails the checksum.
    expect(snmp(out, 'Sent', 'Udp').InCsumErrors).toBeGreaterThan(0);
  });

  it('fq_codel over its limit drops from the fattest flow, each dropped skb freed once', () => {
    const out = run(topology('fqcodel', { nic1: 'tx_ring: 64', wire: 'rate: 1mbit' }), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'tc qdisc add dev eth0 root fq_codel limit 4',
      'on host2 iperf -s -u > /dev/null &',
      'iperf -c 192.168.1.2 -u -b 10M -l 200 -n 20000 > /dev/null',
      'tc -s qdisc show dev eth0',
      'skbtrace -n 400',
    ]);
    const dropped = Number(/\(dropped (\d+),/.exec(out)![1]);
    expect(dropped).toBeGreaterThan(0);
    const frees = out.split('\n').filter((l) => /kfree_skb_reason\(SKB_DROP_REASON_QDISC_DROP\)/.test(l));
    const ids = frees.map((l) => l.split(/\s+/)[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(out).toMatch(/fq_codel_enqueue .*over limit 4, fq_codel_drop from the fattest flow/);
  });

  it('a root qdisc shared by four TX queues keeps the queue each flow was hashed to', () => {
    const out = run(topology('root4', { nic1: 'queues: 4' }), [
      'tc qdisc replace dev eth0 root fq_codel',
      'ping -c 1 192.168.1.2 > /dev/null',
      ...[4001, 4002, 4003, 4004, 4005, 4006].map((p) => `echo a | nc -u -w 0 -p ${p} 192.168.1.2 5000`),
      'ethtool -S eth0',
    ]);
    const used = [0, 1, 2, 3].filter((i) => stat(out, 'NIC statistics', `tx_queue_${i}_packets`) > 0);
    expect(used.length).toBeGreaterThan(1);
  });

  // The skb's priority comes from the socket's IP_TOS (rt_tos2priority: 0x10, minimize delay, is
  // TC_PRIO_INTERACTIVE, band 0 in pfifo_fast's priomap); a burst of best-effort datagrams waits in band 1.
  it('pfifo_fast: a ping with IP_TOS 0x10 goes out in band 0, ahead of a burst waiting in band 1', () => {
    const burst = 'iperf -c 192.168.1.2 -u -b 1000M -l 1400 -n 70000 > /dev/null 2>&1';
    const out = run(topology('bands', { wire: 'rate: 10mbit' }), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'on host2 iperf -s -u > /dev/null &',
      // One line each, so that the burst is still queued when ping sends (between lines the wire drains).
      `${burst} & sh -c 'sleep 0.002; ping -c 1 -Q 0x10 192.168.1.2'`,
      `${burst} & sh -c 'sleep 0.002; ping -c 1 192.168.1.2'`,
    ]);
    const [fast, slow] = [...out.matchAll(/icmp_seq=1 ttl=64 time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    // About 48 datagrams of 1442 bytes wait ahead of the best-effort ping: 1.15 ms each at 10 Mbit/s.
    expect(slow).toBeGreaterThan(45);
    // The lowdelay one waits only for what Byte Queue Limits let into the TX ring.
    expect(fast).toBeLessThan(5);
  });

  // fq_codel_classify: an skb->priority whose major is the qdisc's handle picks the flow numbered by its
  // minor. A default qdisc's handle is 0, so IP_TOS's priorities do (0x10: 6, flow 5); under a handle tc
  // gave (8001:) the flow hash does.
  it('fq_codel as net.core.default_qdisc puts an IP_TOS priority in its own flow; one tc added hashes', () => {
    const flows = (out: string) =>
      [...out.matchAll(/fq_codel_enqueue .*: flow (\d+),/g)].map((m) => Number(m[1]));
    const dflt = run(topology('fqprio', {}), [
      'sysctl -w net.core.default_qdisc=bogus 2>&1; echo status $?',
      'sysctl -w net.core.default_qdisc=fq_codel',
      // The default root cannot be deleted (handle 0); a tc root can, and the default comes back.
      'tc qdisc add dev eth0 root netem',
      'tc qdisc del dev eth0 root',
      'tc qdisc show dev eth0',
      'ping -c 1 192.168.1.2 > /dev/null',
      'skbtrace > /dev/null',
      'ping -c 1 -Q 0x10 192.168.1.2 > /dev/null',
      'skbtrace',
    ]);
    expect(dflt).toContain(
      'sysctl: setting key "net.core.default_qdisc": No such file or directory\nstatus 1\n',
    );
    expect(dflt).toContain('net.core.default_qdisc = fq_codel\nqdisc fq_codel 0: root refcnt 2 limit 10240p');
    expect(flows(dflt)).toEqual([5]);
    const added = run(topology('fqprio2', {}), [
      'tc qdisc add dev eth0 root fq_codel',
      'tc qdisc show dev eth0',
      'ping -c 1 192.168.1.2 > /dev/null',
      'skbtrace > /dev/null',
      'ping -c 1 -Q 0x10 192.168.1.2 > /dev/null',
      'skbtrace',
    ]);
    expect(added).toContain('qdisc fq_codel 8001: root');
    expect(flows(added)).toHaveLength(1);
    expect(flows(added)[0]).not.toBe(5);
  });

  it("a router's forwarded skbs take their priority from the TOS (net.ipv4.ip_forward_update_priority)", () => {
    const f = path.join(dir, 'router-bands.yaml');
    fs.writeFileSync(
      f,
      [
        'hosts:',
        '  host1: { nics: { eth0: { address: 10.0.1.1/24 } }, routes: [default via 10.0.1.254] }',
        '  router:',
        '    nics: { eth0: { address: 10.0.1.254/24 }, eth1: { address: 10.0.2.254/24 } }',
        '    sysctls: { net.ipv4.ip_forward: 1 }',
        '  host2: { nics: { eth0: { address: 10.0.2.1/24 } }, routes: [default via 10.0.2.254] }',
        'wires:',
        '  - between: [host1:eth0, router:eth0]',
        '  - between: [router:eth1, host2:eth0]',
        '    rate: 10mbit',
        '',
      ].join('\n'),
    );
    const burst = 'iperf -c 10.0.2.1 -u -b 1000M -l 1400 -n 70000 > /dev/null 2>&1';
    const out = run(f, [
      'ping -c 1 10.0.2.1 > /dev/null',
      'on host2 iperf -s -u > /dev/null &',
      `${burst} & sh -c 'sleep 0.002; ping -c 1 -Q 0x10 10.0.2.1'`,
      'on router sysctl -w net.ipv4.ip_forward_update_priority=0',
      `${burst} & sh -c 'sleep 0.002; ping -c 1 -Q 0x10 10.0.2.1'`,
    ]);
    const [updated, kept] = [...out.matchAll(/icmp_seq=1 ttl=63 time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    // The router's egress qdisc holds the burst: with the update the ping goes in band 0; without it, the
    // priority an skb arrives with (0) puts it in band 1, behind the burst.
    expect(updated).toBeLessThan(5);
    expect(kept).toBeGreaterThan(45);
    expect(out).toContain('net.ipv4.ip_forward_update_priority = 0');
  });

  it('IP_TOS is in the header on the wire, and the echo reply carries it back (as the real tcpdump reads it)', () => {
    const pcap = path.join(dir, 'tos.pcap');
    run(topology('tos', {}), [
      `tcpdump -i eth0 -c 4 -w ${pcap} > /dev/null 2>&1 &`,
      'ping -c 1 -Q 0x10 192.168.1.2 > /dev/null',
      'sleep 1',
    ]);
    const r = spawnSync('tcpdump', ['-r', pcap, '-n', '-v'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const icmp = r.stdout.split('\n').filter((l) => /proto ICMP/.test(l));
    expect(icmp).toHaveLength(2);
    for (const l of icmp) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d+ IP \(tos 0x10, ttl 64, /);
  });

  it("noqueue on a NIC: what the ring refuses is dropped and counted (tx_dropped), as 'Virtual device asks to queue packet'", () => {
    const out = run(topology('noqueue', { nic1: 'tx_ring: 64', wire: 'rate: 1mbit' }), [
      'ping -c 1 192.168.1.2 > /dev/null',
      'tc qdisc replace dev eth0 root noqueue',
      'on host2 iperf -s -u > /dev/null &',
      'iperf -c 192.168.1.2 -u -b 100M -l 64 -n 6400',
      'ip -s link show eth0',
      'cat /proc/net/snmp',
    ]);
    const ip = snmp(out, 'Ip:', 'Ip');
    const tx = /TX: +bytes packets errors dropped carrier collsns +\n +\d+ +(\d+) +0 +(\d+)/.exec(out)!;
    const [packets, dropped] = [Number(tx[1]), Number(tx[2])];
    expect(dropped).toBeGreaterThan(0);
    // Every IP packet the stack handed to the device (OutTransmits), and the one ARP request, either left
    // or was counted dropped.
    expect(packets + dropped).toBe(ip.OutTransmits + 1);
  });
});
