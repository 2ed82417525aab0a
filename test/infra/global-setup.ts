/**
 * Jest globalSetup: real Kafka and Redis for the distributed-mode tests (never mocks).
 *
 * Each of Kafka and Redis is obtained by the first of these ways that works:
 *   1. env      KAFKA_BROKERS (host:port[,host:port…]) / REDIS_URL (redis://…) when set; they must answer.
 *   2. testcontainers  @testcontainers/kafka / @testcontainers/redis, only if a Docker engine answers /_ping.
 *   3. local    Kafka: the Maven-built broker of tools/kafka-broker/broker.js (JDK 17 + Maven);
 *               Redis: the redis-server on 127.0.0.1:6379, else a private redis-server on a free port.
 * If none works, setup fails with one message saying what failed for each way.
 *
 * Workers get, through process.env: KAFKA_BROKERS, REDIS_URL and SKBLAB_TEST_LAB_ID (unique per run). Name every
 * topic, consumer group and Redis key you create with the lab id (topics/groups `<labId>.…`, keys `<labId>:…`)
 * and delete them: the env brokers and the local Redis are shared. global-teardown.ts sweeps leftovers by that
 * prefix on shared brokers and stops only what this setup started.
 *
 * Knobs: SKBLAB_TEST_INFRA=env,testcontainers,local (the ways to try, in that order),
 * SKBLAB_TC_KAFKA_IMAGE (default confluentinc/cp-kafka:8.1.0 = Apache Kafka 4.1), SKBLAB_TC_REDIS_IMAGE
 * (default redis:7.4), SKBLAB_KAFKA_START_TIMEOUT_MS (default 120000), SKBLAB_KAFKA_BUILD_TIMEOUT_MS (first Maven
 * build, default 600000), SKBLAB_TESTCONTAINERS_TIMEOUT_MS (default 300000), SKBLAB_LOCAL_REDIS (the shared
 * redis-server to try before starting one, default 127.0.0.1:6379).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type Way = 'env' | 'testcontainers' | 'local';

/** What one setup started, so that teardown stops exactly that. */
export interface InfraState {
  labId: string;
  kafka: { brokers: string; way: Way; how: string; stop?: () => Promise<void> };
  redis: { url: string; way: Way; how: string; stop?: () => Promise<void> };
}

interface BrokerModule {
  start(opts: {
    port?: number;
    dir?: string;
    timeoutMs?: number;
    buildTimeoutMs?: number;
    detached?: boolean;
    ownerPid?: number;
    removeDirWithOwner?: boolean;
    log?: (msg: string) => void;
  }): Promise<{ bootstrap: string; pid: number; readyMs: number; dir: string }>;
  spawnWatchdog(opts: { ownerPid: number; pid: number; match?: string; rmDir?: string }): number;
  stop(opts: { dir: string; removeDir?: boolean; log?: (msg: string) => void }): Promise<boolean>;
  probe(host: string, port: number, timeoutMs?: number): Promise<{ brokers: unknown[] }>;
}

const REPO = path.resolve(__dirname, '../..');
const BROKER_JS = path.join(REPO, 'tools/kafka-broker/broker.js');
const STATE_KEY = Symbol.for('skblab.test-infra.state');
const ALL_WAYS: Way[] = ['env', 'testcontainers', 'local'];

const log = (msg: string) => process.stderr.write(`[test-infra] ${msg}\n`);
const num = (name: string, dflt: number) => Number(process.env[name] || dflt);
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

function waysToTry(): Way[] {
  const raw = process.env.SKBLAB_TEST_INFRA;
  if (!raw) return ALL_WAYS;
  const ways = raw.split(',').map((w) => w.trim()) as Way[];
  const bad = ways.filter((w) => !ALL_WAYS.includes(w));
  if (bad.length)
    throw new Error(`SKBLAB_TEST_INFRA: unknown way(s) ${bad.join(', ')}; use ${ALL_WAYS.join(',')}`);
  return ways;
}

/** Rejects after ms with `what timed out`, without keeping the process alive. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------------------------------- probes

/** Sends `request` to a TCP/unix socket and resolves the first `bytes`+ of the answer. */
function ask(target: net.NetConnectOpts, request: string, timeoutMs: number, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(target);
    let answer = '';
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function done(err?: Error) {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(answer);
    }
    sock.on('connect', () => sock.write(request));
    sock.on('data', (d) => {
      answer += d.toString('latin1');
      if (until.test(answer)) done();
    });
    sock.on('error', (e) => done(e));
    sock.on('close', () => done(answer ? undefined : new Error('closed without an answer')));
  });
}

/** Resolves the first Docker endpoint that answers GET /_ping with OK, or a description of why none did. */
export async function dockerEngine(): Promise<{ ok: true; endpoint: string } | { ok: false; why: string }> {
  const candidates: { name: string; opts: net.NetConnectOpts }[] = [];
  const notes: string[] = [];
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) candidates.push({ name: host, opts: { path: host.slice(7) } });
  else if (host?.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    candidates.push({ name: host, opts: { host: u.hostname, port: Number(u.port || 2375) } });
  } else if (host) notes.push(`DOCKER_HOST=${host}: not checked (only unix:// and tcp:// are)`);
  const sockets = [
    '/var/run/docker.sock',
    process.env.XDG_RUNTIME_DIR && path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock'),
    path.join(os.homedir(), '.docker/run/docker.sock'),
    path.join(os.homedir(), '.docker/desktop/docker.sock'),
    typeof process.getuid === 'function' && `/run/user/${process.getuid()}/docker.sock`,
  ];
  for (const s of new Set(sockets)) {
    if (!s) continue;
    if (fs.existsSync(s)) candidates.push({ name: s, opts: { path: s } });
    else if (s === '/var/run/docker.sock') notes.push(`${s}: no such socket`);
  }
  for (const c of candidates) {
    try {
      const answer = await ask(
        c.opts,
        'GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n',
        1500,
        /\r\n\r\n[\s\S]+/,
      );
      if (/^HTTP\/1\.\d 200/.test(answer) && /\r\n\r\nOK/.test(answer)) return { ok: true, endpoint: c.name };
      notes.push(`${c.name}: unexpected answer ${JSON.stringify(answer.split('\r\n')[0])}`);
    } catch (e) {
      notes.push(`${c.name}: ${errMsg(e)}`);
    }
  }
  return { ok: false, why: `no Docker engine answered (${notes.join('; ') || 'no endpoint found'})` };
}

/** PING over RESP without a client library; resolves when the server says PONG. */
async function redisPing(host: string, port: number, timeoutMs = 1500): Promise<void> {
  const answer = await ask({ host, port }, 'PING\r\n', timeoutMs, /\r\n/);
  if (!answer.startsWith('+PONG')) throw new Error(`answered ${JSON.stringify(answer.trim())} to PING`);
}

/** Checks a Kafka bootstrap list with kafkajs (admin.describeCluster). */
async function kafkaAnswers(brokers: string): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    clientId: 'skblab-test-infra',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 300 },
  }).admin();
  try {
    await within(
      20_000,
      'describeCluster',
      admin.connect().then(() => admin.describeCluster()),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await within(
      10_000,
      'redis PING',
      client.connect().then(() => client.ping()),
    );
  } catch (e) {
    throw lastError && lastError !== e ? new Error(`${errMsg(e)} (${lastError.message})`) : e;
  } finally {
    client.disconnect();
  }
}

// ------------------------------------------------------------------------------------- the three ways

type Got = { value: string; how: string; stop?: () => Promise<void> };
type Attempt = (docker: () => ReturnType<typeof dockerEngine>) => Promise<Got>;

const kafkaWays: Record<Way, Attempt> = {
  async env() {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS is not set');
    await kafkaAnswers(brokers).catch((e) => {
      throw new Error(`KAFKA_BROKERS=${brokers} does not answer: ${errMsg(e)}`);
    });
    return { value: brokers, how: `KAFKA_BROKERS=${brokers}` };
  },
  async testcontainers(docker) {
    const d = await docker();
    if (!d.ok) throw new Error(d.why);
    const image = process.env.SKBLAB_TC_KAFKA_IMAGE || 'confluentinc/cp-kafka:8.1.0';
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await within(
      num('SKBLAB_TESTCONTAINERS_TIMEOUT_MS', 300_000),
      `starting ${image}`,
      new KafkaContainer(image).start(),
    );
    const brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
    return {
      value: brokers,
      how: `testcontainers ${image} at ${brokers} (docker ${d.endpoint})`,
      stop: async () => void (await container.stop()),
    };
  },
  async local() {
    const broker = require(BROKER_JS) as BrokerModule;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-kafka-'));
    try {
      const r = await broker.start({
        port: 0,
        dir,
        timeoutMs: num('SKBLAB_KAFKA_START_TIMEOUT_MS', 120_000),
        buildTimeoutMs: num('SKBLAB_KAFKA_BUILD_TIMEOUT_MS', 600_000),
        detached: false, // same process group: a Ctrl-C of jest stops the broker too
        ownerPid: process.pid, // and a watchdog stops it if this run dies without its teardown
        removeDirWithOwner: true,
        log: (m) => log(`kafka-broker: ${m}`),
      });
      return {
        value: r.bootstrap,
        how: `local Maven broker ${r.bootstrap} (pid ${r.pid}, ready in ${(r.readyMs / 1000).toFixed(1)}s, ${dir})`,
        stop: async () =>
          void (await broker.stop({ dir, removeDir: true, log: (m) => log(`kafka-broker: ${m}`) })),
      };
    } catch (e) {
      await broker.stop({ dir, removeDir: true }).catch(() => undefined);
      throw e;
    }
  },
};

const redisWays: Record<Way, Attempt> = {
  async env() {
    const url = process.env.REDIS_URL;
    if (!url) throw new Error('REDIS_URL is not set');
    await redisAnswers(url).catch((e) => {
      throw new Error(`REDIS_URL=${url} does not answer: ${errMsg(e)}`);
    });
    return { value: url, how: `REDIS_URL=${url}` };
  },
  async testcontainers(docker) {
    const d = await docker();
    if (!d.ok) throw new Error(d.why);
    const image = process.env.SKBLAB_TC_REDIS_IMAGE || 'redis:7.4';
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await within(
      num('SKBLAB_TESTCONTAINERS_TIMEOUT_MS', 300_000),
      `starting ${image}`,
      new RedisContainer(image).start(),
    );
    const url = container.getConnectionUrl();
    return {
      value: url,
      how: `testcontainers ${image} at ${url} (docker ${d.endpoint})`,
      stop: async () => void (await container.stop()),
    };
  },
  async local() {
    const why: string[] = [];
    const [host, port] = (process.env.SKBLAB_LOCAL_REDIS || '127.0.0.1:6379').split(':');
    try {
      await redisPing(host, Number(port));
      return { value: `redis://${host}:${port}`, how: `local redis-server at ${host}:${port} (shared)` };
    } catch (e) {
      why.push(`${host}:${port}: ${errMsg(e)}`);
    }
    try {
      return await startRedisServer();
    } catch (e) {
      why.push(errMsg(e));
    }
    throw new Error(why.join('; '));
  },
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A private, memory-only redis-server on a free loopback port. */
async function startRedisServer(): Promise<Got> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let failure: string | null = null;
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.on(
    'error',
    (e) =>
      (failure =
        (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'redis-server is not installed' : e.message),
  );
  child.on('exit', (code, sig) => (failure ??= `redis-server exited (${code ?? sig}) ${stderr.trim()}`));
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  const pid = child.pid;
  const stop = async () => {
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (failure) {
      await stop();
      throw new Error(failure);
    }
    try {
      await redisPing('127.0.0.1', port, 500);
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`own redis-server on ${port} did not answer within 10s: ${errMsg(e)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const url = `redis://127.0.0.1:${port}`;
  // If this run dies without its teardown, a watchdog stops the redis-server and removes its directory.
  (require(BROKER_JS) as BrokerModule).spawnWatchdog({
    ownerPid: process.pid,
    pid: pid!,
    match: `:${port}`,
    rmDir: dir,
  });
  return { value: url, how: `own redis-server at ${url} (pid ${pid})`, stop };
}

async function obtain(
  what: string,
  ways: Record<Way, Attempt>,
  order: Way[],
  docker: () => ReturnType<typeof dockerEngine>,
) {
  const failures: string[] = [];
  let explicit = '';
  for (const way of ALL_WAYS) {
    if (explicit) {
      failures.push(`  ${way}: not tried (${explicit} is set explicitly; unset it to fall back)`);
      continue;
    }
    if (!order.includes(way)) {
      failures.push(`  ${way}: skipped (SKBLAB_TEST_INFRA=${process.env.SKBLAB_TEST_INFRA})`);
      continue;
    }
    const t0 = Date.now();
    try {
      const got = await ways[way](docker);
      log(`${what}: ${got.how} [${Date.now() - t0} ms]`);
      return { ...got, way };
    } catch (e) {
      failures.push(`  ${way}: ${errMsg(e)}`);
      if (!/is not set$/.test(errMsg(e))) log(`${what}: ${way} did not work: ${errMsg(e).split('\n')[0]}`);
      // An explicit env setting that does not answer is a configuration error: do not paper over it.
      if (way === 'env' && !/is not set$/.test(errMsg(e)))
        explicit = what === 'Kafka' ? 'KAFKA_BROKERS' : 'REDIS_URL';
    }
  }
  throw new Error(`no ${what} for the tests. Tried, in order:\n${failures.join('\n')}`);
}

const HELP =
  'Ways to get them: (1) set KAFKA_BROKERS=host:port and REDIS_URL=redis://host:port; ' +
  '(2) run a Docker engine so testcontainers can start confluentinc/cp-kafka and redis; ' +
  '(3) install JDK 17+ and Maven for tools/kafka-broker (jars from Maven Central) and redis-server.';

/** Obtains Kafka and Redis, exports them through process.env, and returns what it started. */
export async function provision(): Promise<InfraState> {
  const order = waysToTry();
  const labId =
    process.env.SKBLAB_TEST_LAB_ID ||
    `${process.env.CI ? 'ci' : 'dev'}-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(labId)) {
    throw new Error(
      `SKBLAB_TEST_LAB_ID=${labId}: use lower-case letters, digits and '-' (it names topics and keys)`,
    );
  }
  let dockerCheck: ReturnType<typeof dockerEngine> | undefined;
  const docker = () => (dockerCheck ??= dockerEngine());

  const [kafka, redis] = await Promise.allSettled([
    obtain('Kafka', kafkaWays, order, docker),
    obtain('Redis', redisWays, order, docker),
  ]);
  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    for (const r of [kafka, redis])
      if (r.status === 'fulfilled') await r.value.stop?.().catch(() => undefined);
    const msgs = [kafka, redis]
      .filter((r) => r.status === 'rejected')
      .map((r) => errMsg((r as PromiseRejectedResult).reason));
    throw new Error(`test infrastructure: ${msgs.join('\n')}\n${HELP}`);
  }
  process.env.KAFKA_BROKERS = kafka.value.value;
  process.env.REDIS_URL = redis.value.value;
  process.env.SKBLAB_TEST_LAB_ID = labId;
  log(`lab id ${labId}`);
  return {
    labId,
    kafka: { brokers: kafka.value.value, way: kafka.value.way, how: kafka.value.how, stop: kafka.value.stop },
    redis: { url: redis.value.value, way: redis.value.way, how: redis.value.how, stop: redis.value.stop },
  };
}

export function saveState(state: InfraState): void {
  (globalThis as Record<symbol, unknown>)[STATE_KEY] = state;
}

export function takeState(): InfraState | undefined {
  const g = globalThis as Record<symbol, unknown>;
  const state = g[STATE_KEY] as InfraState | undefined;
  delete g[STATE_KEY];
  return state;
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  saveState(await provision());
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
