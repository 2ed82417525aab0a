/**
 * Distributed mode end to end, as a user runs it: `skblab shell --mode distributed --spawn` starts every
 * layer service as its own process on the test run's real Kafka and Redis; `up`/`down` keep a lab running
 * between shells, and each service answers /healthz, /metrics, /state and /docs while it runs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brokers, SERVICES } from './in-process';
import { VETH_NS1 } from '../differential/scenarios';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'skblab');

function skblab(args: string[], input = '') {
  const { kafkaBrokers, redisUrl } = brokers();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, KAFKA_BROKERS: kafkaBrokers.join(','), REDIS_URL: redisUrl },
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The trace's rows as function @service. */
function steps(trace: string): Array<{ fn: string; service: string | null }> {
  return trace
    .split('\n')
    .filter((l) => /^0xffff88[0-9a-f]{10} /.test(l))
    .map((l) => {
      const cols = l.split(/\s+/);
      const m = / @([a-z]+)/.exec(l);
      return { fn: cols[8], service: m ? m[1] : null };
    });
}

const SERVICE_OF: Record<string, string> = {
  ping_v4_sendmsg: 'socket',
  ip_send_skb: 'ip',
  ip_finish_output2: 'ip',
  neigh_output: 'neigh',
  __dev_queue_xmit: 'dev',
  loopback_xmit: 'loopback',
  __netif_rx: 'softirq',
  enqueue_to_backlog: 'softirq',
  process_backlog: 'softirq',
  __netif_receive_skb: 'rx',
  ip_rcv: 'rx',
  ip_local_deliver: 'rx',
  icmp_rcv: 'socket',
  ping_rcv: 'socket',
};

describe('skblab shell --mode distributed', () => {
  jest.setTimeout(240_000);

  it('pings 127.0.0.1 through every layer service and prints what the embedded lab prints', () => {
    // The counters are every service's counting, summed in Redis: the same as one kernel's.
    const script =
      'ping -c 1 127.0.0.1\ncat /proc/net/snmp\nip -s link show lo\ncat /proc/net/softnet_stat\nskbtrace\n';
    const lab = `${brokers().testLab}-cli`;
    const d = skblab(['shell', '--mode', 'distributed', '--spawn', '--lab', lab, 'host1'], script);
    const e = skblab(['shell', 'host1'], script);
    expect(d.err).toContain(`skblab: lab ${lab}: ip http://127.0.0.1:`);
    expect(d.status).toBe(0);
    const pingOf = (s: string) => s.slice(0, s.indexOf('SKB '));
    expect(pingOf(d.out)).toBe(pingOf(e.out));
    expect(pingOf(d.out)).toContain('1 packets transmitted, 1 received, 0% packet loss');
    expect(pingOf(d.out)).toMatch(/Icmp: 2 0 0 0 0 0 0 0 1 1 /);

    const ds = steps(d.out);
    const es = steps(e.out);
    // The same functions ran, each in the service of its layer.
    expect(ds.map((s) => s.fn).sort()).toEqual(es.map((s) => s.fn).sort());
    for (const s of ds)
      if (SERVICE_OF[s.fn]) expect(`${s.fn} @${s.service}`).toBe(`${s.fn} @${SERVICE_OF[s.fn]}`);
    expect(new Set(ds.map((s) => s.service))).toEqual(
      new Set(['socket', ...SERVICES.filter((l) => l !== 'nic')]),
    );
    expect(es.every((s) => s.service === null)).toBe(true);
  });

  it("crosses the default lab's wire: the trace's NIC steps run in the nic service, its counters add up as on one box", () => {
    const script = [
      'ping -c 2 -i 0.2 192.168.1.2',
      'ip -s link show eth0',
      'tc -s qdisc show dev eth0',
      'ethtool -S eth0',
      'cat /proc/interrupts',
      'on host2 cat /proc/net/snmp',
      'skbtrace',
      '',
    ].join('\n');
    const d = skblab(
      ['shell', '--mode', 'distributed', '--spawn', '--lab', `${brokers().testLab}-wire`],
      script,
    );
    const e = skblab(['shell'], script);
    expect(d.status).toBe(0);
    // The RTTs differ a little (each service charges its steps to its own clock); the counters may not.
    const beforeTrace = (s: string) =>
      s
        .slice(0, s.indexOf('SKB '))
        .replace(/time=[\d.]+ ms/g, 'time=T ms')
        .replace(/rtt .*\n/, 'rtt\n');
    expect(e.out).toContain('2 packets transmitted, 2 received');
    expect(e.out).toMatch(/tx_queue_0_packets: 3\n/);
    expect(beforeTrace(d.out)).toBe(beforeTrace(e.out));
    const nicSteps = steps(d.out).filter((s) => /^(igb_|hw:|napi_gro_receive|gro_normal_one)/.test(s.fn));
    expect(nicSteps.length).toBeGreaterThan(10);
    expect(new Set(nicSteps.map((s) => s.service))).toEqual(new Set(['nic']));
  });

  it('replays the configuration in every service: a veth pair into a namespace, ARP, counters', () => {
    const script = [
      ...VETH_NS1,
      'ip link show veth0',
      'ping -c 2 -i 0.2 10.0.0.2',
      'cat /proc/net/snmp',
      'ip -s link show veth0',
      '',
    ].join('\n');
    const d = skblab(
      ['shell', '--mode', 'distributed', '--spawn', '--lab', `${brokers().testLab}-veth`],
      script,
    );
    const e = skblab(['shell'], script);
    expect(d.status).toBe(0);
    expect(e.out).toContain('2 packets transmitted, 2 received');
    expect(d.out).toBe(e.out);
  });

  it('runs each layer as two replicas that split the hosts: across two routers, what one kernel prints', () => {
    const script = [
      'traceroute -N 1 192.168.2.1',
      'ping -c 2 -s 3000 192.168.2.1',
      'cat /proc/net/snmp',
      'ip -s link show eth0',
      'on router1 cat /proc/net/snmp',
      'on router1 ip -s link',
      'on router2 ip -s link',
      'on host2 cat /proc/net/snmp',
      'skbtrace --json -n 30',
      '',
    ].join('\n');
    const topo = ['-f', path.join(ROOT, 'examples', 'two-routers.yaml')];
    const lab = `${brokers().testLab}-replicas`;
    const d = skblab(
      ['shell', '--mode', 'distributed', '--spawn', '--replicas', '2', '--lab', lab, ...topo],
      script,
    );
    const e = skblab(['shell', ...topo], script);
    expect(d.status).toBe(0);
    expect(d.err).toMatch(new RegExp(`skblab: lab ${lab}: ip-1 http://\\S+, ip-2 http://`));
    // Each service charges its steps to its own clock, so times differ a little; nothing else may.
    const beforeTrace = (s: string) =>
      s
        .slice(0, s.lastIndexOf('\n[{'))
        .replace(/\d+\.\d{3} ms/g, 'T ms')
        .replace(/rtt .*\n/g, 'rtt\n');
    expect(e.out).toContain(' 3  192.168.2.1 (192.168.2.1)');
    expect(e.out).toContain('2 packets transmitted, 2 received');
    expect(beforeTrace(d.out)).toBe(beforeTrace(e.out));
    // Every replica worked, and each host's NIC (its rings, its NAPI) lived in one of them.
    const trace = JSON.parse(d.out.slice(d.out.lastIndexOf('\n[{') + 1)) as Array<{
      steps: Array<{ func: string; host: string; service: string }>;
    }>;
    const nicOf = new Map<string, Set<string>>();
    const services = new Set<string>();
    for (const j of trace)
      for (const st of j.steps) {
        services.add(st.service);
        if (!/^(igb_|hw:rx_dma|napi_gro_receive)/.test(st.func)) continue;
        if (!nicOf.has(st.host)) nicOf.set(st.host, new Set());
        nicOf.get(st.host)!.add(st.service);
      }
    expect([...services].filter((x) => /^nic-/.test(x)).sort()).toEqual(['nic-1', 'nic-2']);
    expect(nicOf.size).toBeGreaterThanOrEqual(3);
    for (const [host, owners] of nicOf) expect([host, owners.size]).toEqual([host, 1]);
  });

  // The qdisc (dev service) and igb (nic service) are two processes: each call into the driver is answered
  // with the queue's state, and what reaches the device meanwhile waits for the answer (it took no time on
  // one box). So a burst faster than the wire waits and drops in the qdisc exactly as on one box, with the
  // requeue the kernel counts when a bypass finds the queue stopped by Byte Queue Limits, and a stream the
  // wire keeps up with is never requeued.
  it.each([
    ['a single queue, pfifo_fast at the root', 1, 1000, ''],
    ['two queues, mq of pfifo_fast', 2, 1000, ''],
    ['two queues, one pfifo_fast at the root', 2, 1000, 'tc qdisc replace dev eth0 root pfifo_fast'],
    ['a single queue, a stream the wire keeps up with', 1, 2, ''],
  ])(
    'a burst across a 10 Mbit/s wire (%s) waits and drops in the qdisc as on one box',
    (_, queues, mbit, setup) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-burst-'));
      const topo = path.join(dir, 'slow.yaml');
      fs.writeFileSync(
        topo,
        [
          'hosts:',
          `  host1: { nics: { eth0: { address: 192.168.1.1/24, queues: ${queues} } } }`,
          `  host2: { nics: { eth0: { address: 192.168.1.2/24, queues: ${queues} } } }`,
          'wires:',
          '  - between: [host1:eth0, host2:eth0]',
          '    rate: 10mbit',
          '',
        ].join('\n'),
      );
      const script = [
        setup,
        'ip link set eth0 txqueuelen 50',
        'ping -c 1 192.168.1.2 > /dev/null',
        'on host2 iperf -s -u > /dev/null &',
        `iperf -c 192.168.1.2 -u -b ${mbit}M -l 64 -n 8000 > /dev/null`,
        'tc -s qdisc show dev eth0',
        'ip -s link show eth0',
        '',
      ].join('\n');
      const lab = `${brokers().testLab}-burst-${queues}-${mbit}${setup ? '-root' : ''}`;
      const d = skblab(['shell', '--mode', 'distributed', '--spawn', '--lab', lab, '-f', topo], script);
      const e = skblab(['shell', '-f', topo], script);
      expect(d.status).toBe(0);
      // Every qdisc's line (mq's, then each child's), and the device's counters.
      const qdiscs = (out: string) =>
        [...out.matchAll(/Sent \d+ bytes (\d+) pkt \(dropped (\d+), overlimits 0 requeues (\d+)\)/g)].map(
          (m) => ({
            sent: Number(m[1]),
            dropped: Number(m[2]),
            requeues: Number(m[3]),
          }),
        );
      const [dq, eq] = [qdiscs(d.out), qdiscs(e.out)];
      expect(dq).toEqual(eq);
      expect(eq.length).toBe(queues === 2 && !setup ? 3 : 1);
      if (mbit > 10) expect(eq[0].dropped).toBeGreaterThan(50);
      else expect(eq[0]).toMatchObject({ dropped: 0, requeues: 0 });
      // Nothing is lost between the services: TX errors and drops stay 0 (ip -s link's TX line).
      const tx = /TX: +bytes.*\n +(\d+) +(\d+) +(\d+) +(\d+)/.exec(d.out)!;
      expect(Number(tx[2])).toBe(dq[0].sent);
      expect([Number(tx[3]), Number(tx[4])]).toEqual([0, 0]);
      expect(d.out.slice(d.out.indexOf('RX:'))).toBe(e.out.slice(e.out.indexOf('RX:')));
    },
  );

  it("skb->priority travels with the skb: IP_TOS picks pfifo_fast's band in the dev service", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-bands-'));
    const topo = path.join(dir, 'slow.yaml');
    fs.writeFileSync(
      topo,
      [
        'hosts:',
        '  host1: { nics: { eth0: { address: 192.168.1.1/24 } } }',
        '  host2: { nics: { eth0: { address: 192.168.1.2/24 } } }',
        'wires:',
        '  - between: [host1:eth0, host2:eth0]',
        '    rate: 10mbit',
        '',
      ].join('\n'),
    );
    const burst = 'iperf -c 192.168.1.2 -u -b 1000M -l 1400 -n 70000 > /dev/null 2>&1';
    const script = [
      'ping -c 1 192.168.1.2 > /dev/null',
      'on host2 iperf -s -u > /dev/null &',
      `${burst} & sh -c 'sleep 0.002; ping -c 1 -Q 0x10 192.168.1.2'`,
      `${burst} & sh -c 'sleep 0.002; ping -c 1 192.168.1.2'`,
      '',
    ].join('\n');
    const lab = `${brokers().testLab}-bands`;
    const d = skblab(['shell', '--mode', 'distributed', '--spawn', '--lab', lab, '-f', topo], script);
    expect(d.status).toBe(0);
    const [fast, slow] = [...d.out.matchAll(/icmp_seq=1 ttl=64 time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    expect(fast).toBeLessThan(5);
    expect(slow).toBeGreaterThan(45);
  });

  it('refuses --replicas out of range, or without services to start', () => {
    const r = skblab(['up', '--lab', 'x-1', '--replicas', '0']);
    expect(r.status).toBe(2);
    expect(r.err).toBe("skblab: option --replicas needs a number from 1 to 16, got '0'\n");
    const s = skblab(['shell', '--mode', 'distributed', '--lab', 'x-1', '--replicas', '2']);
    expect(s.status).toBe(2);
    expect(s.err).toContain('--replicas goes with --spawn');
  });

  it('says what is wrong when the brokers are not there', () => {
    const r = spawnSync(process.execPath, [BIN, 'shell', '--mode', 'distributed', '--lab', 'nowhere-1'], {
      input: 'true\n',
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^skblab: distributed mode: Redis at redis:\/\/127\.0\.0\.1:1 does not answer/);
  });

  it("never prints REDIS_URL's password", () => {
    const r = spawnSync(process.execPath, [BIN, 'shell', '--mode', 'distributed', '--lab', 'nowhere-1'], {
      input: 'true\n',
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://admin:s3cret@127.0.0.1:1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Redis at redis:\/\/admin:\*\*\*@127\.0\.0\.1:1 does not answer/);
    expect(r.stderr).toContain('REDIS_URL=redis://admin:***@127.0.0.1:1)');
    expect(r.stderr + r.stdout).not.toContain('s3cret');
  });

  it('refuses a bad lab id, exec without --lab, and a distributed shell with neither --spawn nor --lab', () => {
    expect(skblab(['exec']).err).toContain('exec needs --lab ID');
    expect(skblab(['shell', '--mode', 'distributed', '--lab', 'Bad_Id']).err).toMatch(
      /invalid lab id 'Bad_Id'/,
    );
    const r = skblab(['shell', '--mode', 'distributed']);
    expect(r.status).toBe(2);
    expect(r.err).toContain('needs --spawn');
  });

  it('keeps a lab up between shells; every service answers /healthz, /metrics, /state and /docs', async () => {
    const lab = `${brokers().testLab}-up`;
    const up = skblab(['up', '--lab', lab]);
    expect(up.err).toBe('');
    expect(up.status).toBe(0);
    const urls = Object.fromEntries(
      up.out
        .split('\n')
        .filter((l) => /^[a-z]+ http:/.test(l))
        .map((l) => l.split(' ')),
    );
    try {
      expect(Object.keys(urls).sort()).toEqual([...SERVICES].sort());
      const sh = skblab(['exec', '--lab', lab], 'ping -c 2 -i 0.2 127.0.0.1\n');
      expect(sh.status).toBe(0);
      expect(sh.out).toContain('2 packets transmitted, 2 received');
      for (const [layer, url] of Object.entries(urls)) {
        const health = await fetch(`${url}/healthz`);
        expect([layer, health.status]).toEqual([layer, 200]);
        expect(await health.json()).toMatchObject({ status: 'ok' });
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toContain(`skblab_service_info{layer="${layer}"`);
        const state = (await (await fetch(`${url}/state`)).json()) as Record<string, unknown>;
        expect(state).toMatchObject({ layer, labId: lab, consuming: true });
        expect((await fetch(`${url}/docs`)).status).toBe(200);
      }
      const softirq = (await (await fetch(`${urls.softirq}/state`)).json()) as {
        hosts: Array<{ name: string; softnet: Array<{ cpu: number; inputPktQueue: number }> }>;
        messages: { received: number };
      };
      // The default lab: host1 and host2 (on a wire), each with two CPUs and empty backlogs.
      expect(softirq.hosts.map((h) => [h.name, h.softnet.map((c) => [c.cpu, c.inputPktQueue])])).toEqual([
        [
          'host1',
          [
            [0, 0],
            [1, 0],
          ],
        ],
        [
          'host2',
          [
            [0, 0],
            [1, 0],
          ],
        ],
      ]);
      // Two echo requests and two replies went through the backlog.
      expect(softirq.messages.received).toBe(4);
      const ip = await (await fetch(`${urls.ip}/metrics`)).text();
      expect(ip).toMatch(
        /skblab_messages_total\{layer="ip",topic="skblab\.[^"]+\.ip_send_skb",result="ok"\} 4/,
      );
      // The kernel's time on each of them, by the hop it entered.
      expect(ip).toContain('skblab_step_latency_seconds_count{layer="ip",step="ip_send_skb"} 4');
      // The lab's boot reached every service as kernel operations, all applied.
      expect(ip).toMatch(/skblab_config_entries\{result="applied"\} [1-9]/);
      expect(ip).toContain('skblab_config_entries{result="rejected"} 0');
      expect(ip).toContain('skblab_config_entries{result="failed"} 0');
    } finally {
      const down = skblab(['down', '--lab', lab]);
      expect(down.out).toContain(`lab ${lab} down (${SERVICES.length} services stopped)`);
    }
  });
});
