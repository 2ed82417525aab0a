import { HOPS } from '@skblab/kernel';
import {
  DRIVER_ANSWER_TOPIC,
  DRIVER_ANSWERS,
  HOP_LAYER,
  LAYERS,
  hopsOf,
  hopTopic,
  hopTopics,
  hostPartition,
  topicHops,
} from './layers';

const HOPS_AND_ANSWERS = [...Object.keys(HOPS), ...DRIVER_ANSWERS].sort();

describe('the hop map', () => {
  it('names a service for every hop of the kernel and every driver answer, and only those', () => {
    expect(Object.keys(HOP_LAYER).sort()).toEqual(HOPS_AND_ANSWERS);
    for (const a of DRIVER_ANSWERS) expect(Object.keys(HOPS)).not.toContain(a);
  });

  it('gives every hop to exactly one service, and topics Kafka accepts', () => {
    const all = LAYERS.flatMap((l) => hopsOf(l));
    expect(all.sort()).toEqual(HOPS_AND_ANSWERS);
    for (const h of all) expect(hopTopic('ci-1', h)).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });

  it("carries the driver's answers on one topic, so that they keep the order the driver gave them", () => {
    expect(hopTopics('ci-1', hopsOf('dev'))).toEqual([
      'skblab.ci-1.__dev_queue_xmit',
      'skblab.ci-1.dev_hard_start_xmit',
      `skblab.ci-1.${DRIVER_ANSWER_TOPIC}`,
    ]);
    expect(topicHops(DRIVER_ANSWER_TOPIC)).toEqual(DRIVER_ANSWERS);
    expect(topicHops('ip_rcv')).toEqual(['ip_rcv']);
    // Every other hop has a topic of its own.
    const hops = Object.keys(HOP_LAYER);
    expect(hopTopics('ci-1', hops)).toHaveLength(hops.length - DRIVER_ANSWERS.length + 1);
  });
});

describe('hostPartition', () => {
  it("puts a host's messages on one partition of every topic, and spreads the hosts", () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => `r${Math.floor(i / 40)}h${i % 40}`);
    const per = [0, 0, 0, 0];
    for (const h of hosts) {
      const p = hostPartition(h, 4);
      expect(hostPartition(h, 4)).toBe(p);
      per[p]++;
    }
    // FNV-1a spreads names that differ in a digit or two: no partition gets less than a fifth.
    for (const n of per) expect(n).toBeGreaterThan(200);
    // The default lab's two hosts land on different partitions, so two replicas each get one.
    expect(hostPartition('host1', 2)).not.toBe(hostPartition('host2', 2));
  });
});
