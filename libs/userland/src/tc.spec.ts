/**
 * tc qdisc driven through the shell in a real Lab of two hosts whose igb NICs share a wire. The expected
 * texts are iproute2 6.1's (Debian 12) for the same commands: show formats and errors were checked against
 * /usr/sbin/tc on ifb and veth devices in a namespace (pfifo_fast, noqueue, mq and its children, messages
 * and exit statuses); netem's and fq_codel's option parsing and printing follow tc/q_netem.c and
 * tc/q_fq_codel.c of iproute2 6.1.
 */
import { twoHosts } from './testing/two-hosts';
import { NETEM_USAGE, FQ_CODEL_USAGE, getRate64, getSize, getTime, sprintRate, sprintSize } from './tc';

const PRIOMAP = 'bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1';

/** Two hosts, h1 (10.0.0.1) and h2 (10.0.0.2), each with an igb eth0 of `queues` queues, wired together. */
function lab(queues = 1, opts: { irqAffinity?: number[] | null } = {}) {
  return twoHosts(queues, opts.irqAffinity ?? null);
}

/** ping's average RTT in ms, from its summary line. */
function avgRtt(out: string): number {
  const m = /rtt min\/avg\/max\/mdev = [\d.]+\/([\d.]+)\//.exec(out);
  if (!m) throw new Error(`no rtt in:\n${out}`);
  return Number(m[1]);
}

describe('tc qdisc show', () => {
  it('a single-queue igb gets pfifo_fast at its first up (refcnt 2); before that, the hidden noop', async () => {
    const t = lab(1);
    expect(await t.run(t.h1, 'tc qdisc show dev eth0')).toEqual({ out: '', err: '', status: 0 });
    await t.setup();
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      `qdisc pfifo_fast 0: root refcnt 2 ${PRIOMAP}\n`,
    );
    // Without a device: every device of the namespace in ifindex order, each line naming its device.
    expect((await t.run(t.h1, 'tc qdisc')).out).toBe(
      'qdisc noqueue 0: dev lo root refcnt 2 \n' + `qdisc pfifo_fast 0: dev eth0 root refcnt 2 ${PRIOMAP}\n`,
    );
  });

  it('a two-queue igb gets mq with one pfifo_fast per queue, listed :2 then :1 as the kernel hashes them', async () => {
    const t = lab(2);
    await t.setup();
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc mq 0: root \n' +
        `qdisc pfifo_fast 0: parent :2 ${PRIOMAP}\n` +
        `qdisc pfifo_fast 0: parent :1 ${PRIOMAP}\n`,
    );
    expect((await t.run(t.h1, 'tc qdisc show dev eth0 parent :1')).out).toBe(
      `qdisc pfifo_fast 0: parent :1 ${PRIOMAP}\n`,
    );
    expect((await t.run(t.h1, 'tc qdisc show dev eth0 root')).out).toBe('qdisc mq 0: root \n');
  });

  it('-s adds the Sent and backlog lines; mq shows its children summed', async () => {
    const t = lab(2);
    await t.setup();
    await t.run(t.h1, 'ping -c 3 10.0.0.2');
    const { out } = await t.run(t.h1, 'tc -s qdisc show dev eth0');
    const lines = out.split('\n');
    expect(lines[0]).toBe('qdisc mq 0: root ');
    const sent = [
      ...out.matchAll(
        / Sent (\d+) bytes (\d+) pkt \(dropped 0, overlimits 0 requeues 0\) \n backlog 0b 0p requeues 0\n/g,
      ),
    ];
    expect(sent).toHaveLength(3);
    const [root, ...kids] = sent.map((m) => [Number(m[1]), Number(m[2])]);
    // An ARP request and three echo requests (98 bytes each), whichever queue each took.
    expect(root[1]).toBe(4);
    expect(root[0]).toBe(kids[0][0] + kids[1][0]);
    expect(root[1]).toBe(kids[0][1] + kids[1][1]);
  });

  it('Cannot find device (exit 1); bad words exit 255', async () => {
    const t = lab(1);
    expect(await t.run(t.h1, 'tc qdisc show dev nosuch')).toEqual({
      out: '',
      err: 'Cannot find device "nosuch"\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc show foo')).toMatchObject({
      err: 'What is "foo"? Try "tc qdisc help".\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc qdisc foo')).toMatchObject({
      err: 'Command "foo" is unknown, try "tc qdisc help".\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc foo')).toMatchObject({
      err: 'Object "foo" is unknown, try "tc help".\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc -x qdisc')).toMatchObject({
      err: 'Option "-x" is unknown, try "tc -help".\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc qdisc show dev')).toMatchObject({
      err: 'Command line is not complete. Try option "help"\n',
      status: 255,
    });
    const usage = await t.run(t.h1, 'tc');
    expect(usage.status).toBe(0);
    expect(usage.err).toMatch(/^Usage:\ttc \[ OPTIONS \] OBJECT \{ COMMAND \| help \}\n/);
  });

  it('works in another namespace (ip netns exec, tc -n); a namespace whose lo never went up shows nothing', async () => {
    const t = lab(1);
    await t.run(t.h1, 'ip netns add ns1');
    expect(await t.run(t.h1, 'ip netns exec ns1 tc qdisc show')).toEqual({ out: '', err: '', status: 0 });
    await t.run(t.h1, 'ip -n ns1 link set lo up');
    expect((await t.run(t.h1, 'tc -n ns1 qdisc show')).out).toBe('qdisc noqueue 0: dev lo root refcnt 2 \n');
    expect((await t.run(t.h1, 'ip netns exec ns1 tc qdisc show dev lo')).out).toBe(
      'qdisc noqueue 0: root refcnt 2 \n',
    );
  });
});

describe('tc qdisc add/replace/change/del: netem', () => {
  it('delay 10ms on one side adds 10 ms to the RTT; on both, 20 ms; -s counts what it sent', async () => {
    const t = lab(1);
    await t.setup();
    expect(avgRtt((await t.run(t.h1, 'ping -c 2 10.0.0.2')).out)).toBeLessThan(1);
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root netem delay 10ms')).toEqual({
      out: '',
      err: '',
      status: 0,
    });
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 10ms\n',
    );
    const one = avgRtt((await t.run(t.h1, 'ping -c 3 10.0.0.2')).out);
    expect(one).toBeGreaterThanOrEqual(10);
    expect(one).toBeLessThan(11);
    expect((await t.run(t.h1, 'tc -s qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 10ms\n' +
        ' Sent 294 bytes 3 pkt (dropped 0, overlimits 0 requeues 0) \n' +
        ' backlog 0b 0p requeues 0\n',
    );
    await t.run(t.h2, 'tc qdisc add dev eth0 root netem delay 10ms');
    const both = avgRtt((await t.run(t.h1, 'ping -c 3 10.0.0.2')).out);
    expect(both).toBeGreaterThanOrEqual(20);
    expect(both).toBeLessThan(21);
  });

  it('loss 100% loses every echo request and counts them as dropped; del root brings pfifo_fast back', async () => {
    const t = lab(1);
    await t.setup();
    await t.run(t.h1, 'ping -c 1 10.0.0.2');
    await t.run(t.h1, 'tc qdisc add dev eth0 root netem loss 100%');
    const p = await t.run(t.h1, 'ping -c 3 -W 1 10.0.0.2');
    expect(p.out).toContain('3 packets transmitted, 0 received, 100% packet loss');
    expect((await t.run(t.h1, 'tc -s qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 loss 100%\n' +
        ' Sent 0 bytes 0 pkt (dropped 3, overlimits 0 requeues 0) \n' +
        ' backlog 0b 0p requeues 0\n',
    );
    expect(await t.run(t.h1, 'tc qdisc del dev eth0 root')).toEqual({ out: '', err: '', status: 0 });
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      `qdisc pfifo_fast 0: root refcnt 2 ${PRIOMAP}\n`,
    );
    expect((await t.run(t.h1, 'ping -c 1 10.0.0.2')).out).toContain('1 received');
  });

  it('on a two-queue NIC netem as root has refcnt 3; deleting it brings mq back', async () => {
    const t = lab(2);
    await t.setup();
    await t.run(t.h1, 'tc qdisc replace dev eth0 root netem delay 1ms');
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 3 limit 1000 delay 1ms\n',
    );
    await t.run(t.h1, 'tc qdisc del dev eth0 root');
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toMatch(
      /^qdisc mq 0: root \nqdisc pfifo_fast 0: parent :2 /,
    );
  });

  it('an mq root with a handle takes a netem child per class, listed as dev->qdisc_hash orders them', async () => {
    const t = lab(2);
    await t.setup();
    expect((await t.run(t.h1, 'tc qdisc add dev eth0 root handle 1: mq')).status).toBe(0);
    expect((await t.run(t.h1, 'tc qdisc add dev eth0 parent 1:2 handle 5: netem delay 1ms')).status).toBe(0);
    expect((await t.run(t.h1, 'tc qdisc add dev eth0 parent 1:1 netem delay 2ms')).status).toBe(0);
    // Buckets of hash_32(handle, 4): 8001: and 0: in 0 (newest first), 5: in 9.
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc mq 1: root \n' +
        'qdisc netem 8001: parent 1:1 limit 1000 delay 2ms\n' +
        'qdisc netem 5: parent 1:2 limit 1000 delay 1ms\n',
    );
  });

  it('prints its options as tc does: jitter after two spaces, percentages, rates by print_rate, gap', async () => {
    const t = lab(1);
    await t.setup();
    const r = await t.run(
      t.h1,
      'tc qdisc add dev eth0 root netem limit 100 delay 10ms 5ms loss random 1% duplicate 2% corrupt 0.5% reorder 25% rate 1500kbit',
    );
    expect(r).toEqual({ out: '', err: '', status: 0 });
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 100 delay 10ms  5ms loss 1% duplicate 2% reorder 25% corrupt 0.5% rate 1500Kbit gap 1\n',
    );
    // change keeps the handle and replaces the options
    expect((await t.run(t.h1, 'tc qdisc change dev eth0 root netem delay 1.5ms')).status).toBe(0);
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 1.5ms\n',
    );
  });

  it('reports errors as tc and the kernel do: messages, usage texts and exit statuses', async () => {
    const t = lab(1);
    await t.setup();
    expect(await t.run(t.h1, 'tc qdisc del dev eth0 root')).toEqual({
      out: '',
      err: 'Error: Cannot delete qdisc with handle of zero.\n',
      status: 2,
    });
    await t.run(t.h1, 'tc qdisc add dev eth0 root netem delay 10ms');
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root netem delay 20ms')).toMatchObject({
      err: 'Error: Exclusivity flag on, cannot modify.\n',
      status: 2,
    });
    expect(await t.run(t.h1, 'tc qdisc replace dev eth0 root foo')).toMatchObject({
      err: 'Error: Specified qdisc kind is unknown.\n',
      status: 2,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root foo bar')).toMatchObject({
      err: 'Unknown qdisc "foo", hence option "bar" is unparsable\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root netem foo')).toMatchObject({
      err: 'What is "foo"?\n' + NETEM_USAGE,
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root netem delay xx')).toMatchObject({
      err: 'Illegal "latency"\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root netem delay')).toMatchObject({
      err: 'Command line is not complete. Try option "help"\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root netem loss 150%')).toMatchObject({
      err: 'Illegal "loss percent"\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc replace dev eth0 root netem reorder 25%')).toMatchObject({
      err: 'reordering not possible without specifying some delay\n' + NETEM_USAGE,
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev nosuch root netem delay 10ms')).toMatchObject({
      err: 'Cannot find device "nosuch"\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc add root netem delay 10ms')).toMatchObject({
      err: 'RTNETLINK answers: No such device\n',
      status: 2,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root pfifo_fast limit 5')).toMatchObject({
      err: "qdisc 'pfifo_fast' does not support option parsing\n",
      status: 255,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root root netem')).toMatchObject({
      err: 'Error: "root" is duplicate parent ID\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 root handle x netem')).toMatchObject({
      err: 'Error: argument "x" is wrong: invalid qdisc ID\n',
      status: 255,
    });
    expect(await t.run(t.h1, 'tc qdisc add dev eth0 handle 8001: netem')).toMatchObject({
      err: 'Error: Exclusivity flag on, cannot modify.\n',
      status: 2,
    });
    expect(await t.run(t.h1, 'tc qdisc del dev eth0 handle 8001:')).toMatchObject({
      err: 'Error: Classid cannot be zero.\n',
      status: 2,
    });
    expect(await t.run(t.h1, 'tc qdisc del dev eth0')).toMatchObject({
      err: 'Error: Failed to find qdisc with specified handle.\n',
      status: 2,
    });
    // nothing above changed the qdisc
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 10ms\n',
    );
  });
});

describe('tc qdisc: pfifo', () => {
  // Outputs as iproute2 6.1's tc and iputils' ping print them on Linux 6.12 (lo of a new namespace).
  it('limit 0 drops every packet (no TCQ_F_CAN_BYPASS): ping gets ENOBUFS, the drop is counted', async () => {
    const t = lab(1);
    await t.setup();
    expect(await t.run(t.h1, 'tc qdisc add dev lo root pfifo limit 0')).toEqual({
      out: '',
      err: '',
      status: 0,
    });
    expect((await t.run(t.h1, 'tc qdisc show dev lo')).out).toBe(
      'qdisc pfifo 8001: root refcnt 2 limit 0p\n',
    );
    const ping = await t.run(t.h1, 'ping -c 1 -W 1 127.0.0.1');
    expect(ping.status).toBe(1);
    expect(ping.err + ping.out).toContain('ping: sendmsg: No buffer space available');
    expect((await t.run(t.h1, 'tc -s qdisc show dev lo')).out).toContain(
      ' Sent 0 bytes 0 pkt (dropped 1, overlimits 0 requeues 0) \n',
    );
    // A replace without options keeps the limit (qdisc_change calls ops->change only with TCA_OPTIONS).
    await t.run(t.h1, 'tc qdisc replace dev lo root pfifo');
    expect((await t.run(t.h1, 'tc qdisc show dev lo')).out).toBe(
      'qdisc pfifo 8001: root refcnt 2 limit 0p\n',
    );
    await t.run(t.h1, 'tc qdisc replace dev lo root pfifo limit 5');
    expect((await t.run(t.h1, 'tc qdisc show dev lo')).out).toBe(
      'qdisc pfifo 8001: root refcnt 2 limit 5p\n',
    );
    expect((await t.run(t.h1, 'ping -c 1 127.0.0.1')).status).toBe(0);
  });

  it('without a limit takes the device tx_queue_len; bad options are refused as q_fifo.c refuses them', async () => {
    const t = lab(1);
    await t.setup();
    await t.run(t.h1, 'tc qdisc add dev lo root pfifo');
    expect((await t.run(t.h1, 'tc qdisc show dev lo')).out).toBe(
      'qdisc pfifo 8001: root refcnt 2 limit 1000p\n',
    );
    expect(await t.run(t.h1, 'tc qdisc replace dev lo root pfifo limit x')).toEqual({
      out: '',
      err: 'pfifo: Illegal value for "limit": "x"\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc replace dev lo root pfifo foo')).toEqual({
      out: '',
      err: 'pfifo: unknown parameter "foo"\nUsage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]\n',
      status: 1,
    });
  });
});

describe('tc qdisc: fq_codel', () => {
  it('shows its defaults with tc trailing space, and -s its extra statistics', async () => {
    const t = lab(1);
    await t.setup();
    await t.run(t.h1, 'ping -c 1 10.0.0.2');
    expect((await t.run(t.h1, 'tc qdisc replace dev eth0 root fq_codel')).status).toBe(0);
    const opts =
      'limit 10240p flows 1024 quantum 1514 target 5ms interval 100ms memory_limit 32Mb ecn drop_batch 64 ';
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      `qdisc fq_codel 8001: root refcnt 2 ${opts}\n`,
    );
    await t.run(t.h1, 'ping -c 2 10.0.0.2');
    expect((await t.run(t.h1, 'tc -s qdisc show dev eth0')).out).toMatch(
      new RegExp(
        `^qdisc fq_codel 8001: root refcnt 2 ${opts}\n` +
          ' Sent 196 bytes 2 pkt \\(dropped 0, overlimits 0 requeues 0\\) \n' +
          ' backlog 0b 0p requeues 0\n' +
          '  maxpacket \\d+ drop_overlimit 0 new_flow_count \\d+ ecn_mark 0\n' +
          '  new_flows_len \\d+ old_flows_len \\d+\n$',
      ),
    );
  });

  it('takes its options in tc units, and rejects bad ones with its usage', async () => {
    const t = lab(1);
    await t.setup();
    expect(
      (
        await t.run(
          t.h1,
          'tc qdisc add dev eth0 root fq_codel limit 1000 target 2ms interval 50ms memory_limit 4Mb noecn quantum 300',
        )
      ).status,
    ).toBe(0);
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc fq_codel 8001: root refcnt 2 limit 1000p flows 1024 quantum 300 target 2ms interval 50ms memory_limit 4Mb drop_batch 64 \n',
    );
    expect(await t.run(t.h1, 'tc qdisc change dev eth0 root fq_codel limit x')).toMatchObject({
      err: 'Illegal "limit"\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'tc qdisc change dev eth0 root fq_codel foo')).toMatchObject({
      err: 'What is "foo"?\n' + FQ_CODEL_USAGE,
      status: 1,
    });
  });
});

describe("tc's units", () => {
  it('times: a bare number is in microseconds', () => {
    expect(getTime('10ms')).toBe(10_000);
    expect(getTime('1.5ms')).toBe(1500);
    expect(getTime('100us')).toBe(100);
    expect(getTime('1s')).toBe(1_000_000);
    expect(getTime('250')).toBe(250);
    expect(getTime('10m')).toBeNull();
  });

  it('rates (bytes per second; a bare number is bits), sizes and their printing', () => {
    expect(getRate64('1mbit')).toBe(125_000);
    expect(getRate64('1Mbit')).toBe(125_000);
    expect(getRate64('100kbps')).toBe(100_000);
    expect(getRate64('1kibit')).toBe(128);
    expect(getRate64('8000')).toBe(1000);
    expect(getRate64('1xbit')).toBeNull();
    expect(getSize('32Mb')).toBe(32 << 20);
    expect(getSize('1k')).toBe(1024);
    expect(getSize('1.5')).toBe(1);
    expect(getSize('1q')).toBeNull();
    expect(sprintRate(1_500_000)).toBe('1500Kbit');
    expect(sprintRate(100_000_000)).toBe('100Mbit');
    expect(sprintRate(999)).toBe('999bit');
    expect(sprintSize(0)).toBe('0b');
    expect(sprintSize(1500)).toBe('1500b');
    expect(sprintSize(2048)).toBe('2Kb');
  });
});

describe('tc qdisc fq', () => {
  it("prints fq's defaults (quantum 2 and initial_quantum 10 link MTUs) and the options given", async () => {
    const t = lab(1);
    await t.setup();
    expect((await t.run(t.h1, 'tc qdisc replace dev eth0 root fq')).status).toBe(0);
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc fq 8001: root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b ' +
        'initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s ' +
        'horizon_drop \n',
    );
    await t.run(
      t.h1,
      'tc qdisc change dev eth0 root fq limit 200 flow_limit 20 buckets 300 quantum 1514 initial_quantum 4096 ' +
        'maxrate 8mbit nopacing refill_delay 1500us horizon 2.5s horizon_cap',
    );
    expect((await t.run(t.h1, 'tc qdisc show dev eth0')).out).toBe(
      'qdisc fq 8001: root refcnt 2 limit 200p flow_limit 20p buckets 512 orphan_mask 1023 nopacing ' +
        'quantum 1514b initial_quantum 4Kb maxrate 8Mbit low_rate_threshold 550Kbit refill_delay 4ms ' +
        'timer_slack 10us horizon 2.5s horizon_cap \n',
    );
    const bad = await t.run(t.h1, 'tc qdisc change dev eth0 root fq quantum x');
    expect(bad).toEqual({ out: '', err: 'Illegal "quantum"\n', status: 1 });
  });

  it('paces a TCP flow to maxrate (bytes through the qdisc per second); -s shows the flow and its throttling', async () => {
    const t = lab(1);
    await t.setup();
    await t.run(t.h1, 'tc qdisc replace dev eth0 root fq maxrate 8mbit');
    await t.run(t.h2, 'iperf -s &');
    const t0 = t.lab.now();
    expect((await t.run(t.h1, 'iperf -c 10.0.0.2 -t 2')).status).toBe(0);
    const secs = (t.lab.now() - t0) / 1e9;
    const s = (await t.run(t.h1, 'tc -s qdisc show dev eth0')).out;
    const sent = Number(/ Sent (\d+) bytes/.exec(s)?.[1]);
    // 1 MB/s, plus the first initial_quantum (15140 bytes) unpaced and the last (TSO, up to 64 KB) packet
    // whose time is still running; without fq the gigabit link would carry a hundred times that.
    expect(sent).toBeLessThanOrEqual(1_000_000 * secs + 15140 + 65536);
    expect(sent).toBeGreaterThan(0.95 * 1_000_000 * secs);
    expect(s).toMatch(/\n {2}flows [1-9]\d* \(inactive \d+ throttled \d+\)/);
    expect(Number(/ throttled (\d+)(\n| latency)/.exec(s)?.[1])).toBeGreaterThan(0);
  });
});
