/**
 * The control service sets a lab up for shells that join it later (docker compose): the lab's topics on
 * Kafka and, when none is published, the default topology in Redis; GET /state shows the topology.
 */
import request from 'supertest';
import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import type { INestApplication } from '@nestjs/common';
import { hopTopic, deadLetterTopic } from '@skblab/contracts';
import { decodeConfigEntry, keyPrefix } from '@skblab/distributed';
import { LabControl } from '../../apps/control/src/lab-control';
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
      stateProvider: LabControl,
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
      // What the hosts' boot configuration did is in the config log, as kernel operations for every
      // service to apply.
      const config = await eventually('boot configuration logged', 20_000, async () => {
        const entries = await redis.lrange('config', 0, -1);
        return entries.length >= 4 ? entries.map(decodeConfigEntry) : undefined;
      });
      expect(
        config.map(({ host, op }) =>
          op.op === 'addr.add'
            ? `${host}: ${op.op} ${op.dev} ${op.local.toString(16)}/${op.plen}`
            : `${host}: ${op.op} ${'dev' in op ? op.dev : ''}${'up' in op ? ` ${op.up}` : ''}`,
        ),
      ).toEqual([
        'host1: addr.add eth0 c0a80101/24',
        'host1: link.up eth0 true',
        'host2: addr.add eth0 c0a80102/24',
        'host2: link.up eth0 true',
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
