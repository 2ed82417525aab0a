/**
 * Malformed messages on a hop's topic (random bytes, an unknown codec version, an oversize payload, an
 * envelope for another hop or a namespace the lab lacks) go to the lab's dead-letter topic with the reason;
 * the service counts them, logs a line each, and keeps serving.
 */
import { Kafka, logLevel } from 'kafkajs';
import {
  deadLetterTopic,
  decodeEnvelope,
  encodeEnvelope,
  hopTopic,
  SKB_CODEC_MAX,
  type SkbEnvelope,
} from '@skblab/contracts';
import { KEYS } from '@skblab/distributed';
import { brokers, inProcessLab, type InProcessLab } from './in-process';

function envelope(over: Partial<SkbEnvelope> = {}): SkbEnvelope {
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

describe('dead letters', () => {
  jest.setTimeout(120_000);
  let lab: InProcessLab;
  const logs: string[] = [];

  beforeAll(async () => {
    lab = await inProcessLab('dlq', (l) => logs.push(l));
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('sends each bad message to the dead-letter topic with its reason and keeps serving', async () => {
    const { kafkaBrokers } = brokers();
    const kafka = new Kafka({
      clientId: `${lab.labId}-test`,
      brokers: kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
    const v9 = Buffer.from(encodeEnvelope(envelope()));
    v9[3] = 9;
    const oversize = Buffer.alloc(SKB_CODEC_MAX + 1);
    oversize.set(v9.subarray(0, 8));
    const wrongHop = Buffer.from(encodeEnvelope(envelope({ hop: 'udp_rcv' })));
    const noNetns = Buffer.from(encodeEnvelope(envelope({ netns: 'nowhere' })));
    const topic = hopTopic(lab.labId, 'ip_rcv');
    // Well-formed envelopes come from a service, which counts them in flight first: do as one would.
    await lab.shellNode.redis.incrby(KEYS.inflight, 2);
    for (const value of [random, v9, oversize, wrongHop, noNetns])
      await producer.send({ topic, messages: [{ key: 'host1:0', value }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${lab.labId}.dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic(lab.labId), fromBeginning: true });
    const got: Array<Record<string, string>> = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
          if (got.length === 5) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(got.map((h) => h.reason).sort()).toEqual(
      [
        'not an skb envelope',
        'unknown skb codec version 9',
        `envelope of ${SKB_CODEC_MAX + 1} bytes exceeds ${SKB_CODEC_MAX}`,
        'envelope for udp_rcv on the topic of ip_rcv',
        "no namespace 'nowhere' on host 'host1'",
      ].sort(),
    );
    expect(got.every((h) => h.topic === topic && h.service === 'rx')).toBe(true);
    expect(lab.services.get('rx')!.stats.deadLetters).toBe(5);
    expect(logs.filter((l) => l.includes('dead letter from')).length).toBe(5);
    expect(Number(await lab.shellNode.redis.get(KEYS.deadLetters))).toBe(5);

    // The well-formed ones were counted in flight by whoever sent them: nothing is left hanging.
    const r = await lab.run('ping -c 1 127.0.0.1\n');
    expect(r.out).toContain('1 packets transmitted, 1 received');
    expect(r.status).toBe(0);
  });

  it("answers a qdisc's lost call into the NIC driver, so its queue does not stay frozen", async () => {
    const { kafkaBrokers } = brokers();
    const kafka = new Kafka({
      clientId: `${lab.labId}-test2`,
      brokers: kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const lost = envelope({ hop: 'igb_xmit_frame', id: 77, netns: 'gone', ifindex: 2, queueMapping: 0 });
    await lab.shellNode.redis.incrby(KEYS.inflight, 1);
    await producer.send({
      topic: hopTopic(lab.labId, 'igb_xmit_frame'),
      messages: [{ key: 'host1:0', value: Buffer.from(encodeEnvelope(lost)) }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${lab.labId}.answer-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: hopTopic(lab.labId, '__netif_schedule'), fromBeginning: true });
    const answer = await new Promise<SkbEnvelope>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const e = decodeEnvelope(new Uint8Array(message.value!));
          if (e.netns === 'gone') resolve(e);
        },
      });
    });
    await consumer.disconnect();
    // The nic service dead-lettered the call and answered it for the queue it named.
    expect(lab.services.get('nic')!.stats.deadLetters).toBe(1);
    expect([answer.hop, answer.host, answer.ifindex, answer.queueMapping, answer.data.length]).toEqual([
      '__netif_schedule',
      'host1',
      2,
      0,
      0,
    ]);
    // Everything in flight settles (the answer, for a namespace the dev service lacks too, is a dead letter
    // there): the lab goes on.
    const r = await lab.run('ping -c 1 127.0.0.1\n');
    expect(r.out).toContain('1 packets transmitted, 1 received');
    expect(lab.services.get('dev')!.stats.deadLetters).toBe(1);
  });
});
