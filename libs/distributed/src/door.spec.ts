/**
 * The door between the dev service's qdisc and the nic service's driver: each call into the driver is
 * answered with the queue's state, and what reaches the device meanwhile waits for the answer, so the qdisc
 * counts what it would on one box. Driven with a Lab and a wire that records what leaves.
 */
import {
  allocSkb,
  dev_open,
  qdisc_run,
  register_igb,
  tc_modify_qdisc,
  wire_connect,
  TC_H_ROOT,
  type NetDevice,
} from '@skblab/kernel';
import { Lab } from '@skblab/runtime';
import { Door, type DoorHop } from './door';

describe("distributed mode: the qdisc's process, with the NIC driver in another", () => {
  const DEV_HOPS = [
    '__dev_queue_xmit',
    'dev_hard_start_xmit',
    'dev_requeue_skb',
    '__netif_schedule',
    'netif_tx_stop_queue',
  ] as const;

  /** host1's igb eth0 (one queue) wired to host2's, up; this lab runs `hops` (the dev service's). */
  function devService(hops: readonly DoorHop[] = DEV_HOPS, queues = 1) {
    const lab = new Lab();
    const [eth0, peer] = ['host1', 'host2'].map((name, i) => {
      const dev = register_igb(lab.addHost(name).initNet, 'eth0', new Uint8Array([0, 0x1b, 0x21, 0, i, 0]), {
        queues,
        txRing: 256,
        rxRing: 256,
        mtu: 1500,
        irqAffinity: null,
      }) as NetDevice;
      return dev;
    });
    wire_connect(eth0, peer, {});
    dev_open(lab, eth0);
    dev_open(lab, peer);
    const sent: Array<[string, number]> = [];
    /** Each sent message's moment and the context it left in. */
    const context: Array<[at: number, comm: string, cpu: number]> = [];
    const owner = { host1: true };
    const door = new Door(
      lab,
      {
        send: (hop, skb, at) => {
          sent.push([hop, skb.id]);
          context.push([at ?? lab.now(), lab.comm(), lab.cpu()]);
        },
        owns: (h) => owner.host1 || h.name !== 'host1',
      },
      new Set(hops),
    );
    lab.distribute([...hops], door, 'dev', 0);
    const skb = () => {
      const s = allocSkb(lab.newSkbId(), eth0.net, 64);
      s.len = 64;
      s.dev = eth0;
      return s;
    };
    const xmit = (s = skb(), t = lab.now()) => (door.receive('__dev_queue_xmit', s, t, 'iperf', 0), s);
    const answer = (hop: '__netif_schedule' | 'netif_tx_stop_queue', queue = 0) => {
      const a = skb();
      a.len = 0;
      a.queueMapping = queue;
      door.receive(hop, a, lab.now(), 'swapper/0', 0);
    };
    return { lab, door, eth0, sent, context, owner, xmit, answer };
  }

  it('holds what reaches the device while a call into the driver is out, then goes on as after the answer', () => {
    const { eth0, sent, xmit, answer } = devService();
    const q = eth0.txqs[0].qdisc;
    // The first skb bypasses the empty pfifo_fast into igb_xmit_frame, which the nic service runs.
    const s1 = xmit();
    expect(sent).toEqual([['igb_xmit_frame', s1.id]]);
    expect(eth0.txqs[0].xmitLockOwner).toBe(0);
    // The second waits for the answer: on one box the call would have returned before it was sent.
    const s2 = xmit();
    expect(sent).toHaveLength(1);
    expect([q.qlen, q.gsoSkb.length, q.stats.packets]).toEqual([0, 0, 1]);
    // The driver took s1 and stopped the queue (Byte Queue Limits): s2 bypasses into a stopped queue and is
    // requeued, as the kernel's bypass does.
    answer('netif_tx_stop_queue');
    expect([q.gsoSkb, q.stats.requeues, q.stats.packets]).toEqual([[s2], 1, 2]);
    expect(sent).toHaveLength(1);
    // The queue runs again: NET_TX sends the requeued skb.
    answer('__netif_schedule');
    expect(sent).toEqual([
      ['igb_xmit_frame', s1.id],
      ['igb_xmit_frame', s2.id],
    ]);
    expect([q.gsoSkb.length, q.stats.requeues]).toEqual([0, 1]);
  });

  it('a root qdisc over two queues goes on for the other queue when the driver stops the first', () => {
    const { lab, eth0, sent, answer } = devService(DEV_HOPS, 2);
    expect(
      tc_modify_qdisc(lab, eth0, {
        cmd: 'replace',
        parent: TC_H_ROOT,
        handle: 0x10000,
        kind: 'pfifo_fast',
        opts: {},
      }),
    ).toEqual({ err: 0 });
    const q = eth0.qdisc;
    const onQueue = (n: number) => {
      const s = allocSkb(lab.newSkbId(), eth0.net, 64);
      s.len = 64;
      s.dev = eth0;
      s.queueMapping = n;
      return s;
    };
    // What the qdisc holds: s0 for queue 0, then s1 for queue 1.
    const [s0, s1] = [onQueue(0), onQueue(1)];
    q.ops.enqueue!(lab, s0, q);
    q.ops.enqueue!(lab, s1, q);
    // Its run calls out for s0, and waits for the answer: on one box the call would return first.
    lab.inProcess('iperf', () => qdisc_run(lab, q), 0);
    expect(sent).toEqual([['igb_xmit_frame', s0.id]]);
    expect(q.qlen).toBe(1);
    // Queue 0's driver took s0 and stopped its queue: on one box __qdisc_run's loop goes on to s1, for
    // queue 1, which runs. (A root of one queue would wait for that queue's wake instead.)
    answer('netif_tx_stop_queue', 0);
    expect(sent).toEqual([
      ['igb_xmit_frame', s0.id],
      ['igb_xmit_frame', s1.id],
    ]);
    expect([q.qlen, q.gsoSkb.length, q.stats.requeues]).toEqual([0, 0, 0]);
  });

  it('a stream the driver keeps up with is never requeued', () => {
    const { eth0, sent, xmit, answer } = devService();
    const ids = [xmit(), xmit(), xmit()].map((s) => s.id);
    for (let i = 0; i < 3; i++) answer('__netif_schedule');
    expect(sent).toEqual(ids.map((id) => ['igb_xmit_frame', id]));
    expect(eth0.txqs[0].qdisc.stats).toMatchObject({ packets: 3, requeues: 0, drops: 0 });
  });

  it('hands what it held to the new owner when the host goes to another replica', () => {
    const { door, eth0, sent, owner, xmit } = devService();
    const host = eth0.net.host;
    xmit();
    const s2 = xmit();
    owner.host1 = false;
    expect(door.release(host)).toBe(0);
    expect(eth0.txqs[0].xmitLockOwner).toBe(-1);
    expect(sent[1]).toEqual(['__dev_queue_xmit', s2.id]);
    // Nothing is held for the host any more: the next transmit goes straight to its owner too.
    const s3 = xmit();
    expect(sent[2]).toEqual(['__dev_queue_xmit', s3.id]);
  });

  it('hands each held transmit on at its own moment, from the task that sent it', () => {
    const { lab, door, eth0, sent, context, owner } = devService();
    const host = eth0.net.host;
    const s1 = allocSkb(lab.newSkbId(), eth0.net, 64);
    const s2 = allocSkb(lab.newSkbId(), eth0.net, 64);
    for (const s of [s1, s2]) [s.len, s.dev] = [64, eth0];
    door.receive('__dev_queue_xmit', s1, 1_000, 'iperf', 0);
    door.receive('__dev_queue_xmit', s2, 2_000, 'nc', 1);
    owner.host1 = false;
    door.release(host);
    expect(sent[1]).toEqual(['__dev_queue_xmit', s2.id]);
    expect(context[1]).toEqual([2_000, 'nc', 1]);
  });

  it("a driver's process that loses the host wakes the queue it had told the qdisc was stopped", () => {
    // This lab runs the nic service's ndo_start_xmit; the qdisc is in another process.
    const { lab, door, eth0, sent, owner } = devService(['igb_xmit_frame']);
    // Byte Queue Limits start at no room: the first frame stops the queue, and the qdisc is told so.
    const s1 = allocSkb(lab.newSkbId(), eth0.net, 64);
    [s1.len, s1.dev] = [64, eth0];
    door.receive('igb_xmit_frame', s1, lab.now(), 'iperf', 0);
    expect(sent.map(([hop]) => hop)).toContain('netif_tx_stop_queue');
    // The host goes to another replica before the TX completion would have woken the queue: igb_down
    // empties the ring, and the qdisc's process hears that the queue runs.
    owner.host1 = false;
    const before = sent.length;
    door.release(eth0.net.host);
    expect(sent.slice(before).map(([hop]) => hop)).toEqual(['__netif_schedule']);
    // Told once: a second release has nothing to wake.
    door.release(eth0.net.host);
    expect(sent.slice(before).map(([hop]) => hop)).toEqual(['__netif_schedule']);
  });

  it("a driver's process whose TX completion wakes a queue the qdisc was told had stopped tells it, once", () => {
    const { lab, door, eth0, sent } = devService(['igb_xmit_frame']);
    const s1 = allocSkb(lab.newSkbId(), eth0.net, 64);
    [s1.len, s1.dev] = [64, eth0];
    door.receive('igb_xmit_frame', s1, lab.now(), 'iperf', 0);
    expect(sent.map(([hop]) => hop)).toEqual(['netif_tx_stop_queue']);
    // The frame leaves, its TX completion frees the ring and Byte Queue Limits let the queue go: NET_TX is
    // raised here for a qdisc that runs in the dev service, which hears of it instead. (The frame reaches
    // the far NIC's hw_rx_dma through the door too: this lab runs only igb_xmit_frame.)
    lab.runTimersUntil(lab.now() + 1e9);
    expect(sent.map(([hop]) => hop)).toEqual(['netif_tx_stop_queue', 'hw_rx_dma', '__netif_schedule']);
    expect(eth0.txqs[0].qdisc.scheduled).toBe(false);
    expect(eth0.net.host.softnet.every((sd) => sd.outputQueue.length === 0)).toBe(true);
  });
});
