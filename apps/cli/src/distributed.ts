/**
 * The CLI's side of distributed mode: the shell process runs the user's processes and the socket layer;
 * every other layer is a service (dist/apps/<layer>/main.js) reached over Kafka, sharing Redis.
 *
 *   skblab shell --mode distributed --spawn [--lab ID] NODE   start the services, run the shell, stop them
 *   skblab shell --mode distributed --lab ID NODE             a shell on a lab started with `up`
 *   skblab up [--lab ID] [-f FILE]                            start a lab's services and leave them running
 *   skblab down --lab ID                                      stop them and delete the lab's topics and keys
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { ConfigRecord, Lab } from '@skblab/runtime';
import type { ShellOptions } from '@skblab/shell';
import { HOP_SERVICES, type LayerName } from '@skblab/contracts';
import { DistributedNode, KEYS, keyPrefix, redactSecret, type PublishedTopology } from '@skblab/distributed';

export { redactSecret };

export interface Brokers {
  kafka: string[];
  redisUrl: string;
}

export function brokersFromEnv(env = process.env): Brokers {
  return {
    kafka: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

export function checkLabId(id: string): string | null {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(id)
    ? null
    : `skblab: invalid lab id '${id}' (1-63 lower-case letters, digits or '-', starting with a letter or digit)`;
}

export function newLabId(): string {
  return 'lab-' + Math.random().toString(36).slice(2, 8);
}

export function repoRoot(): string {
  // dist/skblab.js (the bundle) or apps/cli/src/distributed.ts (tests): the repository is above both.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

function logDir(labId: string): string {
  const d = path.join(os.tmpdir(), `skblab-${labId}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

export interface Started {
  layer: LayerName;
  /** The replica's name: the layer's, or `<layer>-<n>` when it runs several. */
  instance: string;
  url: string;
  child: ChildProcess;
}

/** The instances of `layers` with `replicas` each: `ip`, or `ip-1`, `ip-2`, ... */
export function instancesOf(layers: readonly LayerName[], replicas: number) {
  return layers.flatMap((layer) =>
    replicas === 1
      ? [{ layer, instance: layer as string }]
      : Array.from({ length: replicas }, (_, i) => ({ layer, instance: `${layer}-${i + 1}` })),
  );
}

/** Start one service and wait for its "listening on" line. */
export function startService(
  layer: LayerName,
  bundle: string,
  labId: string,
  b: Brokers,
  detached: boolean,
  instance: string = layer,
) {
  const log = path.join(logDir(labId), `${instance}.log`);
  const fd = fs.openSync(log, 'a');
  const child = spawn(process.execPath, [bundle], {
    env: {
      ...process.env,
      SKBLAB_LAB_ID: labId,
      SKBLAB_INSTANCE: instance,
      KAFKA_BROKERS: b.kafka.join(','),
      REDIS_URL: b.redisUrl,
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', fd],
    detached,
  });
  fs.closeSync(fd);
  return new Promise<Started>((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`the ${instance} service did not start in 60 s (see ${log})`)),
      60_000,
    );
    let listening = false;
    rl.on('line', (line) => {
      // After the "listening" line, what the service prints goes to its log (its stdout stays open).
      if (listening) return void fs.appendFile(log, line + '\n', () => undefined);
      const m = / listening on (\S+)/.exec(line);
      if (!m) return;
      listening = true;
      clearTimeout(timer);
      resolve({ layer, instance, url: m[1], child });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${instance} service exited (${code}) before it listened (see ${log})`));
    });
  });
}

async function waitReady(redis: Redis, layers: readonly string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = await redis.hgetall(KEYS.ready);
    const missing = layers.filter((l) => !ready[l]);
    if (!missing.length) return;
    if (Date.now() > until)
      throw new Error(`services not consuming after ${timeoutMs / 1000} s: ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fail fast, saying which, when Kafka or Redis does not answer (the clients would retry for long). */
export async function checkBrokers(b: Brokers): Promise<void> {
  const redis = new Redis(b.redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let why: Error | null = null;
  redis.on('error', (e: Error) => (why = e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const err = why ?? e;
    throw new Error(
      redactSecret(
        `Redis at ${b.redisUrl} does not answer: ${err instanceof Error ? err.message : String(err)}`,
        b.redisUrl,
      ),
    );
  } finally {
    redis.disconnect();
  }
  const admin = new Kafka({
    clientId: 'skblab-cli',
    brokers: b.kafka,
    connectionTimeout: 3000,
    retry: { retries: 1, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    throw new Error(
      `Kafka at ${b.kafka.join(',')} does not answer: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Delete a lab's Redis keys and (unless told not to) its topics and consumer groups. */
export async function sweepLab(labId: string, b: Brokers, what = { kafka: true }): Promise<void> {
  const redis = new Redis(b.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix(labId)}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  if (!what.kafka) return;
  const admin = new Kafka({
    clientId: `skblab-${labId}-cli`,
    brokers: b.kafka,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`skblab.${labId}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(`${labId}.`));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Create the topics, publish the topology and start every layer service (`replicas` of each, splitting the
 * hosts between them); resolves when all consume.
 */
export async function upLab(
  labId: string,
  hosts: PublishedTopology,
  b: Brokers,
  detached: boolean,
  replicas = 1,
): Promise<Started[]> {
  const node = new DistributedNode({
    labId,
    service: 'control',
    kafkaBrokers: b.kafka,
    redisUrl: b.redisUrl,
  });
  try {
    // A reused lab id starts afresh in Redis (its topics and consumer groups, with their committed
    // offsets, are kept: nothing old is consumed again).
    await sweepLab(labId, b, { kafka: false });
    // Each replica owns at least one partition of every topic.
    await node.createTopics(Math.max(2, replicas));
    await node.publishTopology(hosts);
    const { ensureServices } = require(path.join(repoRoot(), 'libs/service/build.js')) as {
      ensureServices(l: readonly string[]): Promise<string[]>;
    };
    const bundles = await ensureServices(HOP_SERVICES);
    const bundleOf = new Map(HOP_SERVICES.map((l, i) => [l, bundles[i]]));
    const instances = instancesOf(HOP_SERVICES, replicas);
    const started: Started[] = [];
    try {
      const all = await Promise.allSettled(
        instances.map(({ layer, instance }) =>
          startService(layer, bundleOf.get(layer)!, labId, b, detached, instance),
        ),
      );
      for (const r of all) if (r.status === 'fulfilled') started.push(r.value);
      const failed = all.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      await waitReady(
        node.redis,
        instances.map((i) => i.instance),
        90_000 + 15_000 * instances.length,
      );
      await node.redis.hset(
        'services',
        Object.fromEntries(
          started.flatMap((s) => [[s.instance, JSON.stringify({ url: s.url, pid: s.child.pid })]]),
        ),
      );
      return started;
    } catch (e) {
      for (const s of started) s.child.kill('SIGKILL');
      throw e;
    }
  } finally {
    await node.stop();
  }
}

/** Stop a lab started with `up` (its services' pids are in Redis), then sweep it. */
export async function downLab(labId: string, b: Brokers): Promise<number> {
  const redis = new Redis(b.redisUrl, { keyPrefix: keyPrefix(labId), maxRetriesPerRequest: 1 });
  const services = await redis.hgetall('services').finally(() => redis.disconnect());
  let stopped = 0;
  for (const v of Object.values(services)) {
    const { pid } = JSON.parse(v) as { pid: number };
    try {
      process.kill(pid, 'SIGTERM');
      stopped++;
    } catch {
      // already gone
    }
  }
  await sweepLab(labId, b);
  return stopped;
}

export interface DistributedLab {
  lab: Lab;
  labId: string;
  /** For the shell on `host`: the kernel configuration its lines make reaches every service. */
  aroundLine(host: string): NonNullable<ShellOptions['aroundLine']>;
  /**
   * Boot the lab's hosts: their lines are logged for the services without waiting for each, and the boot
   * waits once, at the end, until every service has applied them all (a thousand hosts' lines in one go).
   */
  boot(
    run: (around: (host: string) => NonNullable<ShellOptions['aroundLine']>) => Promise<string | null>,
  ): Promise<string | null>;
  close(): Promise<void>;
}

/**
 * The shell's lab in distributed mode: this process runs the socket layer; with `spawn`, the other layers
 * are started first (and stopped, and the lab swept, by close()).
 */
export async function openDistributedLab(opts: {
  labId: string;
  spawn: boolean;
  hosts: PublishedTopology;
  brokers: Brokers;
  announce: (line: string) => void;
  replicas?: number;
}): Promise<DistributedLab> {
  const { labId, brokers } = opts;
  let started: Started[] = [];
  if (opts.spawn) {
    started = await upLab(labId, opts.hosts, brokers, false, opts.replicas ?? 1);
    opts.announce(
      `skblab: lab ${labId}: ${started.map((s) => `${s.instance} ${s.url}`).join(', ')} (logs in ${logDir(labId)})`,
    );
  }
  const node = new DistributedNode({
    labId,
    service: 'socket',
    kafkaBrokers: brokers.kafka,
    redisUrl: brokers.redisUrl,
    shipTraces: false,
  });
  try {
    await node.loadTopology(opts.spawn ? 5_000 : 2_000);
    // Joining a running lab: its boot and earlier shells' configuration, in this view too.
    if (!opts.spawn) await node.replayConfigLog();
    await node.start();
  } catch (e) {
    await node.stop();
    for (const s of started) s.child.kill('SIGKILL');
    throw e;
  }
  node.driveTime();
  // The services (every replica) that replay configuration lines: all that consume, but this shell.
  const services = Object.keys(await node.redis.hgetall(KEYS.ready)).filter(
    (s) => s !== node.instance && s !== 'socket',
  );
  let logOnly = false;
  // What the shell's tools changed in the kernel (each operation with its host), as data for the services.
  let made: ConfigRecord[] = [];
  node.lab.onConfig = (r) => made.push(r);
  const aroundLine =
    (_host: string): NonNullable<ShellOptions['aroundLine']> =>
    async (line, run) => {
      const status = await run();
      const records = made;
      made = [];
      for (const h of new Set(records.map((r) => r.host))) node.configChanged(h);
      if (logOnly) await node.appendConfig(records);
      else if (records.length) await node.publishConfig(records, services, line);
      return status;
    };
  return {
    lab: node.lab,
    labId,
    aroundLine,
    async boot(run) {
      // Boot lines send nothing: no need to wait for the lab to settle around each (with a thousand hosts,
      // each wait reads every host's counters).
      const settle = node.lab.settle;
      node.lab.settle = null;
      logOnly = true;
      try {
        const err = await run(aroundLine);
        await node.awaitConfig(services, 60_000 + 20 * (await node.redis.llen(KEYS.config)));
        return err;
      } finally {
        logOnly = false;
        node.lab.settle = settle;
      }
    },
    async close() {
      await node.stop();
      if (!opts.spawn) return;
      await Promise.all(
        started.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.child.exitCode !== null) return resolve();
              const t = setTimeout(() => s.child.kill('SIGKILL'), 5_000);
              s.child.on('exit', () => {
                clearTimeout(t);
                resolve();
              });
              s.child.kill('SIGTERM');
            }),
        ),
      );
      await sweepLab(labId, brokers).catch(() => undefined);
    },
  };
}
