/**
 * Every hop topic on the real Kafka takes a malformed and an oversize message without harm: the service
 * that consumes the topic (the shell's node for the socket layer's hops) decodes neither, sends both to
 * the dead-letter topic, counts them, and goes on; envelopes well-formed but meaningless for the lab (a
 * CPU the host lacks, a header outside the packet, an unknown drop reason) go the same way. Afterwards the
 * lab still answers a ping.
 */
import { Kafka, logLevel } from 'kafkajs';
import {
  DRIVER_ANSWER_TOPIC,
  HOP_LAYER,
  encodeEnvelope,
  hopTopic,
  SKB_CODEC_MAX,
  type LayerName,
  type SkbEnvelope,
} from '@skblab/contracts';
import { KEYS, type DistributedNode } from '@skblab/distributed';
import { brokers, inProcessLab, type InProcessLab } from './in-process';

/** A hop of each topic (the driver's answers share one). */
const HOPS = (Object.keys(HOP_LAYER) as Array<keyof typeof HOP_LAYER>).filter(
  (h, i, all) => all.findIndex((g) => hopTopic('x', g) === hopTopic('x', h)) === i,
);

function envelope(over: Partial<SkbEnvelope>): SkbEnvelope {
  return {
    hop: 'ip_rcv',
    id: 1,
    clock: 0,
    task: 'swapper/0',
    execCpu: 0,
    host: 'host1',
    netns: '',
    ifindex: 1,
    cpu: 0,
    protocol: 0x0800,
    pktType: 0,
    ipSummed: 0,
    macHeader: -32768,
    networkHeader: 0,
    transportHeader: -32768,
    mark: 0,
    fragMaxSize: 0,
    ignoreDf: false,
    queueMapping: 0,
    priority: 0,
    gsoSize: 0,
    gsoSegs: 0,
    comm: '',
    dropReason: '',
    dst: null,
    sk: null,
    txAccount: null,
    data: new Uint8Array(20),
    ...over,
  };
}

describe('malformed and oversize messages on every hop topic', () => {
  jest.setTimeout(180_000);
  let lab: InProcessLab;
  const logs: string[] = [];

  beforeAll(async () => {
    lab = await inProcessLab('hops', (l) => logs.push(l));
  });
  afterAll(async () => {
    await lab?.stop();
  });

  /** The node that consumes `hop`'s topic. */
  const consumerOf = (hop: keyof typeof HOP_LAYER): DistributedNode =>
    HOP_LAYER[hop] === 'socket' ? lab.shellNode : lab.services.get(HOP_LAYER[hop] as LayerName)!;
  const allNodes = () => [lab.shellNode, ...lab.services.values()];
  const deadLetters = () => allNodes().reduce((n, node) => n + node.stats.deadLetters, 0);

  it(`dead-letters both on each of the ${HOPS.length} hop topics, counted by the topic's consumer`, async () => {
    const kafka = new Kafka({
      clientId: `${lab.labId}-test`,
      brokers: brokers().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    // Idempotent: kafkajs retries a produce request whole when some of its partitions fail (leaders of the
    // just-created topics not ready); the broker then drops the copies of what the first attempt wrote.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const malformed = Buffer.from('not an skb at all, just text on a hop topic');
    const oversize = Buffer.alloc(SKB_CODEC_MAX + 1, 0x41);
    await producer.sendBatch({
      topicMessages: HOPS.map((hop) => ({
        topic: hopTopic(lab.labId, hop),
        messages: [
          { key: 'host1:0', value: malformed },
          { key: 'host1:0', value: oversize },
          { key: 'host1:0', value: null },
        ],
      })),
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const written = new Map<string, number>();
    for (const hop of HOPS) {
      const topic = hopTopic(lab.labId, hop);
      const offsets = await admin.fetchTopicOffsets(topic);
      written.set(
        topic,
        offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0),
      );
    }
    await admin.disconnect();
    // Exactly the three on each topic: what follows counts what the consumers did with them.
    expect([...written.values()]).toEqual(HOPS.map(() => 3));
    const want = 3 * HOPS.length;
    const until = Date.now() + 120_000;
    while (deadLetters() < want && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(deadLetters()).toBe(want);
    const byNode = new Map<DistributedNode, number>();
    for (const hop of HOPS) byNode.set(consumerOf(hop), (byNode.get(consumerOf(hop)) ?? 0) + 3);
    for (const [node, n] of byNode)
      expect([node.instance, node.stats.deadLetters]).toEqual([node.instance, n]);
    for (const hop of HOPS) {
      const topic = hopTopic(lab.labId, hop);
      const lines = logs.filter((l) => l.includes(`dead letter from ${topic}[`));
      expect(lines.map((l) => l.replace(/.*: /, '')).sort()).toEqual(
        [
          `envelope of ${SKB_CODEC_MAX + 1} bytes exceeds ${SKB_CODEC_MAX}`,
          'envelope truncated at byte 0',
          'not an skb envelope',
        ].sort(),
      );
    }
    expect(Number(await lab.shellNode.redis.get(KEYS.deadLetters))).toBe(want);
    const r = await lab.run('ping -c 1 127.0.0.1\n');
    expect(r.out).toContain('1 packets transmitted, 1 received');
  });

  it('dead-letters a well-formed envelope that means nothing in the lab, and goes on', async () => {
    const before = lab.services.get('rx')!.stats.deadLetters;
    const kafka = new Kafka({
      clientId: `${lab.labId}-test2`,
      brokers: brokers().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const bad = [
      envelope({ cpu: 4000 }),
      envelope({ execCpu: 7 }),
      envelope({ networkHeader: 5000 }),
      envelope({ dropReason: 'rm -rf /' }),
      envelope({
        dst: {
          type: 1,
          flags: 0,
          ifindex: 1,
          origIfindex: 0,
          gw: 0,
          dst: 0,
          src: 0,
          input: 'eval',
          pmtu: 0,
          error: 0,
        },
      }),
    ];
    // Well-formed envelopes are counted in flight by whoever produces them: do as a service would.
    await lab.shellNode.redis.incrby(KEYS.inflight, bad.length);
    await producer.send({
      topic: hopTopic(lab.labId, 'ip_rcv'),
      messages: bad.map((e) => ({ key: 'host1:0', value: Buffer.from(encodeEnvelope(e)) })),
    });
    await producer.disconnect();
    const until = Date.now() + 60_000;
    while (lab.services.get('rx')!.stats.deadLetters < before + bad.length && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(lab.services.get('rx')!.stats.deadLetters).toBe(before + bad.length);
    const reasons = logs
      .filter((l) => l.includes('dead letter from') && l.includes('ip_rcv'))
      .map((l) => l.replace(/.*: /, ''));
    expect(reasons).toEqual(
      expect.arrayContaining([
        "no CPU 4000 on host 'host1'",
        "no CPU 7 on host 'host1'",
        'header offset 5000 outside the packet',
        "unknown drop reason 'rm -rf /'",
        "unknown route input 'eval'",
      ]),
    );
    const r = await lab.run('ping -c 2 -i 0.2 127.0.0.1\n');
    expect(r.out).toContain('2 packets transmitted, 2 received');
  });

  it("dead-letters an envelope for another hop on the driver's answers' topic", async () => {
    const dev = lab.services.get('dev')!;
    const before = dev.stats.deadLetters;
    const kafka = new Kafka({
      clientId: `${lab.labId}-test3`,
      brokers: brokers().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await lab.shellNode.redis.incrby(KEYS.inflight, 1);
    const topic = hopTopic(lab.labId, '__netif_schedule');
    expect(topic).toBe(`skblab.${lab.labId}.${DRIVER_ANSWER_TOPIC}`);
    await producer.send({
      topic,
      messages: [{ key: 'host1:0', value: Buffer.from(encodeEnvelope(envelope({ hop: 'ip_rcv' }))) }],
    });
    await producer.disconnect();
    const until = Date.now() + 60_000;
    while (dev.stats.deadLetters < before + 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(dev.stats.deadLetters).toBe(before + 1);
    const lines = logs.filter((l) => l.includes(`dead letter from ${topic}[`));
    expect(lines.map((l) => l.replace(/.*: /, ''))).toContain(
      `envelope for ip_rcv on the topic of ${DRIVER_ANSWER_TOPIC}`,
    );
  });
});
