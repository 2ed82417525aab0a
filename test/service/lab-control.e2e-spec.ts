/**
 * The control service sets a lab up for shells that join it later (docker compose): the lab's topics on
 * Kafka and, when none is published, the default topology in Redis; GET /state shows the topology.
 */
import request from 'supertest';
import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import type { INestApplication } from '@nestjs/common';
import { hopTopic, deadLetterTopic } from '@skblab/contracts';
import { keyPrefix } from '@skblab/distributed';
import { eventually, layerApp, need } from './helpers';

describe('the control service', () => {
  jest.setTimeout(60_000);
  let app: INestApplication | undefined;
  const labId = `${need('SKBLAB_TEST_LAB_ID')}-control`;

  afterAll(async () => {
    await app?.close();
  });

  it("creates the lab's topics and publishes the default topology", async () => {
    app = await layerApp('control', {
      env: { ...process.env, SKBLAB_LAB_ID: labId, SKBLAB_CONNECT_TIMEOUT_MS: '2000' },
    });
    const redis = new Redis(need('REDIS_URL'), { keyPrefix: keyPrefix(labId) });
    try {
      const topology = await eventually(
        'topology published',
        20_000,
        async () => (await redis.get('topology')) ?? undefined,
      );
      const t = JSON.parse(topology) as { hosts: Array<{ name: string; cpus: number }>; wires: unknown[] };
      expect(t.hosts.map((h) => [h.name, h.cpus])).toEqual([
        ['host1', 2],
        ['host2', 2],
      ]);
      expect(t.wires).toHaveLength(1);
      // The hosts' boot configuration is in the config log, for every service to replay.
      const config = await eventually('boot configuration logged', 20_000, async () => {
        const lines = await redis.lrange('config', 0, -1);
        return lines.length >= 4
          ? lines.map((l) => JSON.parse(l) as { host: string; line: string })
          : undefined;
      });
      expect(config.map((c) => `${c.host}: ${c.line}`)).toEqual([
        'host1: ip addr add 192.168.1.1/24 dev eth0',
        'host1: ip link set eth0 up',
        'host2: ip addr add 192.168.1.2/24 dev eth0',
        'host2: ip link set eth0 up',
      ]);
    } finally {
      redis.disconnect();
    }
    const admin = new Kafka({
      clientId: `${labId}-t`,
      brokers: need('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics).toEqual(
        expect.arrayContaining([
          hopTopic(labId, 'ip_rcv'),
          hopTopic(labId, 'udp_rcv'),
          deadLetterTopic(labId),
        ]),
      );
    } finally {
      await admin.disconnect();
    }
    const state = (await request(app!.getHttpServer()).get('/state').expect(200)).body as Record<
      string,
      unknown
    >;
    expect(state).toMatchObject({
      layer: 'control',
      labId,
      topology: { hosts: [{ name: 'host1' }, { name: 'host2' }] },
    });
  });
});
