/**
 * sch_fq's scheduling and pacing (net/sched/sch_fq.c), driven directly with a clock the test moves: the
 * initial quantum's unpaced burst, pacing at the socket's rate once the credit is spent, the "schedule/timers
 * drift" credit (at most half a packet's time), EDT delivery times, the fast path, and its drops.
 */
import type { KernelCtx, KTimer } from '../../include/net/kctx';
import { allocSkb, type SkBuff } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import type { TcpSock } from '../../include/linux/tcp';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS, type Qdisc } from '../../include/net/sch_generic';
import { SK_PACING_FQ, SK_PACING_NONE, UPTIME_AT_START_NS } from '../../include/net/tcp';
import { new_host } from '../core/net_namespace';
import { register_tun } from '../core/rtnetlink';
import { qdisc_create } from './sch_generic';
import { fqOps } from './sch_fq';

const MS = 1_000_000;

function setup(opts: Record<string, number | boolean> = {}) {
  const host = new_host('h', 1);
  const dev = register_tun(host.initNet, 'tun0');
  if (!('name' in dev)) throw new Error('tun0');
  let clock = 0;
  const timers: number[] = [];
  const ctx = {
    now: () => clock,
    step: () => undefined,
    cpu: () => 0,
    comm: () => 'test',
    free: () => undefined,
    modTimer: (t: KTimer<unknown>, expires: number) => {
      t.expires = expires;
      t.pending = true;
      timers.push(expires);
    },
    delTimer: () => undefined,
  } as unknown as KernelCtx;
  const q = qdisc_create(dev, fqOps, 0x80010000, 0xffffffff, 0, opts) as Qdisc;
  if (typeof q === 'string') throw new Error(q);
  // A connected TCP socket with its pacing rate (bytes per second).
  const sk = { type: 1, state: 1, pacingRate: 1_000_000, pacingStatus: SK_PACING_NONE } as unknown as TcpSock;
  let id = 1;
  const skb = (len: number, tstamp = 0, owner: Sock | null = sk): SkBuff => {
    const s = allocSkb(id++, host.initNet, len);
    s.len = len;
    s.sk = owner;
    if (tstamp) s.tstamp = tstamp + UPTIME_AT_START_NS;
    return s;
  };
  return {
    q,
    sk,
    skb,
    timers,
    ctx,
    /** The clock moves on; a watchdog due by then has fired. */
    at: (ns: number) => {
      clock = ns;
      if (q.watchdog && q.watchdog.expires <= ns) q.watchdog.pending = false;
    },
    enqueue: (s: SkBuff) => fqOps.enqueue!(ctx, s, q),
    dequeue: () => fqOps.dequeue(ctx, q),
  };
}

describe('sch_fq', () => {
  it('sends the initial quantum unpaced, then one packet per quantum / sk_pacing_rate', () => {
    // maxrate keeps the packets off the fast path (fq_fastpath_check); the socket's rate is lower.
    const t = setup({ initial_quantum: 3000, quantum: 3000, maxrate: 10_000_000 });
    const pkts = [1, 2, 3, 4].map(() => t.skb(1500));
    for (const p of pkts) expect(t.enqueue(p)).toBe(NET_XMIT_SUCCESS);
    expect(t.sk.pacingStatus).toBe(SK_PACING_FQ);
    expect(t.dequeue()).toBe(pkts[0]);
    // The credit is spent by the second: time_next_packet = now + max(plen, quantum) / rate = 3 ms.
    expect(t.dequeue()).toBe(pkts[1]);
    expect(t.dequeue()).toBeNull();
    expect(t.timers.at(-1)).toBe(3 * MS);
    expect(fqOps.dumpStats!(t.q).throttled_flows).toBe(1);
    t.at(3 * MS - 1);
    expect(t.dequeue()).toBeNull();
    t.at(3 * MS);
    expect(t.dequeue()).toBe(pkts[2]);
    expect(t.dequeue()).toBe(pkts[3]);
    expect(fqOps.dumpStats!(t.q).throttled).toBe(1);
  });

  it('credits a late dequeue with what it missed, at most half the packet time', () => {
    const t = setup({ initial_quantum: 1500, quantum: 3000, maxrate: 10_000_000 });
    const pkts = [1, 2, 3, 4, 5, 6].map(() => t.skb(1500));
    for (const p of pkts) t.enqueue(p);
    expect(t.dequeue()).toBe(pkts[0]); // time_next_packet = 3 ms, no earlier one to be late for
    t.at(4 * MS); // 1 ms late
    expect(t.dequeue()).toBe(pkts[1]);
    expect(t.dequeue()).toBe(pkts[2]); // 3 ms - 1 ms of drift: next at 6 ms
    expect(t.dequeue()).toBeNull();
    expect(t.timers.at(-1)).toBe(6 * MS);
    t.at(11 * MS); // 5 ms late: only 1.5 ms (half) is given back
    expect(t.dequeue()).toBe(pkts[3]);
    expect(t.dequeue()).toBe(pkts[4]);
    expect(t.dequeue()).toBeNull();
    expect(t.timers.at(-1)).toBe(11 * MS + 1.5 * MS);
  });

  it('holds an skb with a delivery time (EDT) until then, without pacing it again', () => {
    const t = setup();
    const late = t.skb(1500, 2 * MS);
    expect(t.enqueue(late)).toBe(NET_XMIT_SUCCESS);
    expect(t.dequeue()).toBeNull();
    expect(t.timers.at(-1)).toBe(2 * MS);
    const x = fqOps.dumpStats!(t.q);
    expect(x.time_next_delayed_flow - UPTIME_AT_START_NS).toBe(2 * MS);
    t.at(2 * MS);
    expect(t.dequeue()).toBe(late);
    // A packet due now, with nothing else eligible, takes the fast path.
    const now = t.skb(100);
    t.enqueue(now);
    expect(t.dequeue()).toBe(now);
    expect(fqOps.dumpStats!(t.q).fastpath_packets).toBe(1);
  });

  it('drops past the flow limit (FQ_FLOW_LIMIT) and beyond the horizon (FQ_HORIZON_LIMIT)', () => {
    const t = setup({ flow_limit: 2, maxrate: 10_000_000 });
    expect(t.enqueue(t.skb(100))).toBe(NET_XMIT_SUCCESS);
    expect(t.enqueue(t.skb(100))).toBe(NET_XMIT_SUCCESS);
    const third = t.skb(100);
    expect(t.enqueue(third)).toBe(NET_XMIT_DROP);
    expect(third.dropReason).toBe('FQ_FLOW_LIMIT');
    const far = t.skb(100, 11_000 * MS, null);
    expect(t.enqueue(far)).toBe(NET_XMIT_DROP);
    expect(far.dropReason).toBe('FQ_HORIZON_LIMIT');
    expect(t.q.stats.drops).toBe(2);
    expect(fqOps.dumpStats!(t.q).flows_plimit).toBe(1);
  });
});
