/**
 * The service shell of distributed mode (libs/service) booted in-process against the REAL Kafka and Redis of
 * test/infra: /healthz, /metrics, /state, /state/query (validation), /docs-json, then the failing cases and
 * bootstrap() itself (the hybrid app as apps/<layer>/src/main.ts starts it).
 */
import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import {
  bootstrap,
  KAFKA,
  MetricsService,
  REDIS,
  SERVICE_CONFIG,
  ServiceConfigError,
  type LayerStateProvider,
  type ServiceConfig,
  type StateQuery,
} from '@skblab/service';
import type { DistributedNode } from '@skblab/distributed';
import { LoopbackModule } from '../../apps/loopback/src/loopback.module';
import { SoftirqModule } from '../../apps/softirq/src/softirq.module';
import { eventually, layerApp, need, serviceEnv } from './helpers';

jest.setTimeout(30_000);

@Injectable()
class NeighTable implements LayerStateProvider {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}
  getState() {
    return { layer: this.config.layer, neighbours: [{ ip: '10.0.0.2', dev: 'veth0', state: 'REACHABLE' }] };
  }
  query(q: StateQuery) {
    return {
      netns: q.netns,
      neighbours: [{ ip: '10.0.0.2', dev: 'veth0', state: 'REACHABLE' }].slice(0, q.limit),
    };
  }
}

describe('a layer service against real Kafka and Redis', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await layerApp('neigh', { stateProvider: NeighTable });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GET /healthz is 200 with kafka and redis up', async () => {
    const t0 = performance.now();
    const res = await http().get('/healthz').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { kafka: { status: 'up', brokers: expect.any(Number) }, redis: { status: 'up' } },
      error: {},
    });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('GET /metrics has the default process metrics and the skblab counters', async () => {
    const metrics = app.get(MetricsService);
    metrics.countMessage('neigh_output', 'ok', 3);
    metrics.countMessage('neigh_output', 'drop');
    metrics.observeStep('neigh_resolve_output', 0.0002);
    const res = await http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;/);
    expect(res.headers['content-type']).toContain('version=0.0.4');
    const lab = need('SKBLAB_TEST_LAB_ID');
    for (const line of [
      '# TYPE process_cpu_user_seconds_total counter',
      '# TYPE nodejs_heap_size_total_bytes gauge',
      '# TYPE nodejs_eventloop_lag_seconds gauge',
      '# TYPE skblab_messages_total counter',
      '# TYPE skblab_step_latency_seconds histogram',
      `skblab_service_info{layer="neigh",lab="${lab}",version="0.1.0"} 1`,
      'skblab_messages_total{layer="neigh",topic="neigh_output",result="ok"} 3',
      'skblab_messages_total{layer="neigh",topic="neigh_output",result="drop"} 1',
      'skblab_step_latency_seconds_bucket{le="0.0005",layer="neigh",step="neigh_resolve_output"} 1',
      'skblab_step_latency_seconds_count{layer="neigh",step="neigh_resolve_output"} 1',
    ]) {
      expect(res.text.split('\n')).toContain(line);
    }
  });

  it("GET /state returns the layer provider's JSON", async () => {
    const res = await http().get('/state').expect(200);
    expect(res.body).toEqual({
      layer: 'neigh',
      neighbours: [{ ip: '10.0.0.2', dev: 'veth0', state: 'REACHABLE' }],
    });
  });

  it.each([
    [{ netns: 'ns1', limit: 10 }],
    [{ netns: '', limit: 1 }],
    [{ netns: 'a'.repeat(64), limit: 1000 }],
    [{ netns: 'host-1_ns', limit: 500 }],
  ])('POST /state/query accepts %j (200)', async (body) => {
    const res = await http().post('/state/query').send(body).expect(200);
    expect(res.body).toEqual({
      netns: body.netns,
      neighbours: [expect.objectContaining({ ip: '10.0.0.2' })],
    });
  });

  it.each<[string, unknown, string[]]>([
    ['no body', undefined, ['netns must be a string', 'limit must be an integer number']],
    [
      'limit missing',
      { netns: 'ns1' },
      ['limit must not be greater than 1000', 'limit must be an integer number'],
    ],
    ['limit 0', { netns: 'ns1', limit: 0 }, ['limit must not be less than 1']],
    ['limit 1001', { netns: 'ns1', limit: 1001 }, ['limit must not be greater than 1000']],
    ['limit 1.5', { netns: 'ns1', limit: 1.5 }, ['limit must be an integer number']],
    ['limit as a string', { netns: 'ns1', limit: '10' }, ['limit must be an integer number']],
    ['netns a number', { netns: 7, limit: 10 }, ['netns must be a string']],
    [
      'netns 65 characters',
      { netns: 'a'.repeat(65), limit: 10 },
      ['netns must be shorter than or equal to 64 characters'],
    ],
    [
      'netns with a slash',
      { netns: '../etc', limit: 10 },
      ["netns may contain only letters, digits, '_' and '-'"],
    ],
    ['an unknown field', { netns: 'ns1', limit: 10, admin: true }, ['property admin should not exist']],
  ])('POST /state/query with %s is a 400 that names the field', async (_what, body, messages) => {
    const res = await http()
      .post('/state/query')
      .send(body as object)
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toEqual(expect.arrayContaining(messages));
  });

  it('POST /state/query with malformed JSON is a 400', async () => {
    const res = await http()
      .post('/state/query')
      .set('Content-Type', 'application/json')
      .send('{"netns": "ns1", "limit": ')
      .expect(400);
    expect(res.body.statusCode).toBe(400);
  });

  it('POST /state/query with JSON nested 2,000 deep (4 kB) is a 400, and the service goes on', async () => {
    const deep = '{"netns":"", "limit": 1, "x": ' + '['.repeat(2000) + ']'.repeat(2000) + '}';
    expect(deep.length).toBeLessThan(4200);
    const res = await http()
      .post('/state/query')
      .set('Content-Type', 'application/json')
      .send(deep)
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringMatching(/nested deeper than/) });
    const objects = '{"a":'.repeat(1500) + '1' + '}'.repeat(1500);
    await http().post('/state/query').set('Content-Type', 'application/json').send(objects).expect(400);
    await http().post('/state/query').send({ netns: '', limit: 1 }).expect(200);
  });

  it('GET /docs-json lists the endpoints and the query schema; /docs serves Swagger UI', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body;
    expect(doc.info).toMatchObject({ title: 'skblab neigh', version: '0.1.0' });
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/metrics', '/state', '/state/query']);
    expect(Object.keys(doc.paths['/state/query'])).toEqual(['post']);
    expect(doc.components.schemas.StateQueryDto).toMatchObject({
      required: ['netns', 'limit'],
      properties: {
        netns: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]*$' },
        limit: { type: 'integer', minimum: 1, maximum: 1000 },
      },
    });
    const ui = await http().get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('gives the layer a Redis client whose keys are prefixed skblab:<lab>:', async () => {
    const redis = app.get<Redis>(REDIS);
    const lab = need('SKBLAB_TEST_LAB_ID');
    const plain = new Redis(need('REDIS_URL'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.set('service-e2e:probe', 'hello', 'EX', 60);
      await plain.connect();
      expect(await plain.get(`skblab:${lab}:service-e2e:probe`)).toBe('hello');
    } finally {
      await redis.del('service-e2e:probe');
      plain.disconnect();
    }
  });
});

describe('a layer service when one broker is unreachable', () => {
  it('GET /healthz is 503 with redis down (bad REDIS_URL) and kafka up, quickly; the rest still answers', async () => {
    const t0 = performance.now();
    const app = await layerApp('ip', { env: serviceEnv({ REDIS_URL: 'redis://127.0.0.1:1' }) });
    try {
      const res = await request(app.getHttpServer()).get('/healthz').expect(503);
      expect(res.body).toMatchObject({
        status: 'error',
        info: { kafka: { status: 'up' } },
        error: { redis: { status: 'down', message: expect.stringMatching(/not connected.*ECONNREFUSED/) } },
      });
      expect(res.body.error.kafka).toBeUndefined();
      await request(app.getHttpServer()).get('/state').expect(200);
    } finally {
      await app.close();
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('GET /healthz is 503 with kafka down (bad KAFKA_BROKERS) and redis up, within the timeouts', async () => {
    const t0 = performance.now();
    const app = await layerApp('dev', {
      stateProvider: { getState: () => ({ layer: 'dev', devices: [] }) },
      env: serviceEnv({ KAFKA_BROKERS: '127.0.0.1:1' }),
    });
    try {
      const res = await request(app.getHttpServer()).get('/healthz').expect(503);
      expect(res.body).toMatchObject({
        status: 'error',
        info: { redis: { status: 'up' } },
        error: { kafka: { status: 'down', message: expect.any(String), brokers: '127.0.0.1:1' } },
      });
      expect((await request(app.getHttpServer()).get('/state').expect(200)).body).toEqual({
        layer: 'dev',
        devices: [],
      });
    } finally {
      await app.close();
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('bootstrap(): the app that apps/<layer>/src/main.ts starts', () => {
  it('a layer with hops: listens on 127.0.0.1 with its hop transport fed to its handlers, and leaves Redis on close', async () => {
    const lab = need('SKBLAB_TEST_LAB_ID');
    const lines: string[] = [];
    const redis = new Redis(need('REDIS_URL'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    const clients = async () => (await redis.client('LIST')) as string;
    let app: INestApplication | undefined;
    try {
      await redis.connect();
      app = await bootstrap('loopback', {
        env: serviceEnv(),
        imports: [LoopbackModule],
        exitOnError: false,
        logLevels: ['error'],
        announce: (l) => lines.push(l),
      });
      expect(lines).toEqual([
        expect.stringMatching(/^skblab loopback listening on http:\/\/127\.0\.0\.1:\d+$/),
      ]);
      const base = lines[0].replace(/^.* on /, '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const bad = await fetch(`${base}/state/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ netns: 'ns1', limit: 0 }),
      });
      expect(bad.status).toBe(400);
      // One microservice, the hop transport, whose messages go through the app's handlers (no topology is
      // published here, so it waits for one before joining its group).
      const [hops] = app.getMicroservices();
      expect(app.getMicroservices()).toHaveLength(1);
      const node = hops.unwrap<DistributedNode>();
      expect(node.hops).toEqual(['loopback_xmit']);
      expect(node.dispatch).toEqual(expect.any(Function));
      const state = await (await fetch(`${base}/state`)).json();
      expect(state).toMatchObject({ layer: 'loopback', hops: ['loopback_xmit'], consuming: false });
      // The node's connection is the app's injected one (REDIS), not a second of its own.
      expect(
        (await clients()).split('\n').filter((l) => l.includes(`name=skblab-${lab}-loopback `)),
      ).toHaveLength(1);
      expect(node.redis).toBe(app.get(REDIS));
      expect((node as unknown as { kafka: unknown }).kafka).toBe(app.get(KAFKA));

      await app.close();
      app = undefined;
      await eventually('the Redis connections to close', 5_000, async () =>
        (await clients()).includes(`name=skblab-${lab}-loopback `) ? undefined : true,
      );
    } finally {
      await app?.close();
      redis.disconnect();
    }
  });

  it("refuses an app whose handlers are not its layer's hops, naming the missing and the foreign ones", async () => {
    await expect(
      bootstrap('loopback', {
        env: serviceEnv(),
        imports: [SoftirqModule],
        exitOnError: false,
        logLevels: [],
      }),
    ).rejects.toThrow(
      "skblab loopback: the app's hop handlers are not its layer's hops; no @EventPattern for " +
        "loopback_xmit; handlers for another layer's hops: __netif_rx",
    );
  });

  it('control runs no hops: no microservice at all', async () => {
    const app = await bootstrap('control', {
      env: serviceEnv(),
      stateProvider: { getState: () => ({ layer: 'control' }) },
      exitOnError: false,
      logLevels: ['error'],
      announce: () => undefined,
    });
    try {
      expect(app.getMicroservices()).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('rejects with every configuration problem when the environment is wrong', async () => {
    const started = bootstrap('rx', {
      env: { REDIS_URL: 'redis://127.0.0.1:6379', PORT: 'eighty' },
      exitOnError: false,
    });
    await expect(started).rejects.toBeInstanceOf(ServiceConfigError);
    await expect(started).rejects.toThrow(
      'invalid environment for skblab rx:\n' +
        '  - KAFKA_BROKERS must be a comma-separated list of host:port, e.g. 127.0.0.1:9092 (not set)\n' +
        '  - PORT must be an integer from 0 to 65535 (got "eighty")',
    );
  });
});
