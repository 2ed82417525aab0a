/**
 * The CLI's side of distributed mode: the shell process runs the user's processes and the socket layer;
 * every other layer is a service (dist/apps/<layer>/main.js) reached over Kafka, sharing Redis.
 *
 *   skblab shell --mode distributed --spawn [--lab ID] NODE   start the services, run the shell, stop them
 *   skblab shell --mode distributed --lab ID NODE             a shell on a lab started with `up`
 *   skblab up [--lab ID] [-f FILE] [--replace]                start a lab's services and leave them running
 *   skblab down --lab ID                                      stop them and delete the lab's topics and keys
 *   skblab restart --lab ID SERVICE                           restart one service of a lab started with `up`
 *   skblab logs --lab ID [SERVICE]                            what the lab's services wrote
 *
 * A lab has an owner (the `owner` key): the process that holds it (`up`'s supervisor, or a `--spawn`
 * shell), with who started it, where and when. Every process a lab starts is recorded with its pid, start
 * time and command line (procs.ts), and only a process that matches all three is ever signalled. Each
 * service writes to its own log file in the lab's folder ($TMPDIR/skblab-<lab>/<instance>.log): its output
 * never goes to a pipe whose reader may exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { ConfigRecord, Lab } from '@skblab/runtime';
import type { ShellOptions } from '@skblab/shell';
import { HOP_SERVICES, LAB_ID_RULE, isLabId, type LayerName } from '@skblab/contracts';
import {
  DistributedNode,
  KEYS,
  describeKafkaSasl,
  kafkaSaslFromEnv,
  keyPrefix,
  redactSecret,
  type KafkaSasl,
  type PublishedTopology,
} from '@skblab/distributed';
import { identify, verify, waitExit, type ProcIdentity } from './procs';

export { redactSecret };

export interface Brokers {
  kafka: string[];
  /** The Kafka user to log in as (KAFKA_SASL_*), or none. */
  kafkaSasl?: KafkaSasl;
  redisUrl: string;
}

/** Where Kafka and Redis are, and who to be there; throws on bad KAFKA_SASL_* (saying why, not the password). */
export function brokersFromEnv(env = process.env): Brokers {
  const sasl = kafkaSaslFromEnv(env);
  if (sasl.problems.length) throw new Error(sasl.problems.join('; '));
  return {
    kafka: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...(sasl.sasl ? { kafkaSasl: sasl.sasl } : {}),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

export function checkLabId(id: string): string | null {
  return isLabId(id) ? null : `skblab: invalid lab id '${id}' (${LAB_ID_RULE})`;
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

/** The lab's folder on this machine: each service's log, and the supervisor's. */
export function labDir(labId: string): string {
  return path.join(os.tmpdir(), `skblab-${labId}`);
}

function ensureLabDir(labId: string): string {
  const d = labDir(labId);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** An instance's log file (`ip`, `nic-2`, `supervisor`). */
export function logFile(labId: string, instance: string): string {
  return path.join(labDir(labId), `${instance}.log`);
}

export interface Started {
  layer: LayerName;
  /** The replica's name: the layer's, or `<layer>-<n>` when it runs several. */
  instance: string;
  url: string;
  child: ChildProcess;
}

/** What the `services` hash holds for an instance: where it answers, and which process it is. */
export interface ServiceRecord extends ProcIdentity {
  layer: LayerName;
  instance: string;
  url: string;
}

/** The `owner` key: the process that holds the lab, and who started it, where and when. */
export interface OwnerRecord extends ProcIdentity {
  user: string;
  host: string;
  startedAt: string;
  /** `up` (its supervisor holds the lab) or `spawn` (a shell with --spawn, or a test, holds it). */
  how: 'up' | 'spawn';
}

export function serviceRecord(s: Started): ServiceRecord {
  const id = identify(s.child.pid ?? -1);
  if (!id) throw new Error(`the ${s.instance} service (pid ${s.child.pid}) has exited`);
  return { layer: s.layer, instance: s.instance, url: s.url, ...id };
}

/** The instances of `layers` with `replicas` each: `ip`, or `ip-1`, `ip-2`, ... */
export function instancesOf(layers: readonly LayerName[], replicas: number) {
  return layers.flatMap((layer) =>
    replicas === 1
      ? [{ layer, instance: layer as string }]
      : Array.from({ length: replicas }, (_, i) => ({ layer, instance: `${layer}-${i + 1}` })),
  );
}

/** The last `n` lines of a file (for an error message). */
function tailOf(file: string, n = 15): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * Start one service, its stdout and stderr appended to its log file, and wait for its "listening on" line
 * there. The lab and instance are on its command line too, so that `ps` (and `down`'s check) tell it apart.
 */
export function startService(
  layer: LayerName,
  bundle: string,
  labId: string,
  b: Brokers,
  detached: boolean,
  instance: string = layer,
  timeoutMs = 60_000,
  /** More of its environment (a class's service: SKBLAB_CLASS). */
  env: Record<string, string> = {},
) {
  const log = path.join(ensureLabDir(labId), `${instance}.log`);
  const fd = fs.openSync(log, 'a');
  const from = fs.fstatSync(fd).size;
  const child = spawn(process.execPath, [bundle, '--lab', labId, '--instance', instance], {
    env: {
      ...process.env,
      SKBLAB_LAB_ID: labId,
      SKBLAB_INSTANCE: instance,
      KAFKA_BROKERS: b.kafka.join(','),
      REDIS_URL: b.redisUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', fd, fd],
    detached,
  });
  fs.closeSync(fd);
  return new Promise<Started>((resolve, reject) => {
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = signal ?? String(code)));
    child.once('error', (e) => (exited = e.message));
    const until = Date.now() + timeoutMs;
    const pattern = new RegExp(`^skblab ${layer} listening on (\\S+)$`, 'm');
    const look = () => {
      let text = '';
      try {
        const fdr = fs.openSync(log, 'r');
        try {
          const size = fs.fstatSync(fdr).size;
          const buf = Buffer.alloc(Math.max(0, size - from));
          fs.readSync(fdr, buf, 0, buf.length, from);
          text = buf.toString('utf8');
        } finally {
          fs.closeSync(fdr);
        }
      } catch {
        // read again next time
      }
      const m = pattern.exec(text);
      if (m) return resolve({ layer, instance, url: m[1], child });
      if (exited !== null)
        return reject(
          new Error(
            `the ${instance} service exited (${exited}) before it listened (see ${log}):\n${text.trimEnd().split('\n').slice(-10).join('\n')}`,
          ),
        );
      if (Date.now() > until) {
        child.kill('SIGKILL');
        return reject(
          new Error(`the ${instance} service did not start in ${timeoutMs / 1000} s (see ${log})`),
        );
      }
      setTimeout(look, 50);
    };
    look();
  });
}

/** SIGTERM the children, SIGKILL those still there after `graceMs`; resolves when all have exited. */
export async function stopChildren(children: ChildProcess[], graceMs = 5_000): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

export async function waitReady(redis: Redis, layers: readonly string[], timeoutMs: number): Promise<void> {
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
    sasl: b.kafkaSasl,
    connectionTimeout: 3000,
    retry: { retries: 1, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    throw new Error(
      `Kafka at ${b.kafka.join(',')} (${describeKafkaSasl(b.kafkaSasl)}) does not answer: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function labRedis(labId: string, b: Brokers): Redis {
  const r = new Redis(b.redisUrl, { keyPrefix: keyPrefix(labId), maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  return r;
}

/** The lab's Redis keys (`skblab:<lab>:*`, not another lab's). */
async function labKeys(redis: Redis, labId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix(labId)}*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}

/** The lab's topics (`skblab.<lab>.*`) and consumer groups (`<lab>.*`) on the broker. */
async function labKafka(admin: ReturnType<Kafka['admin']>, labId: string) {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`skblab.${labId}.`));
  const groups = (await admin.listGroups()).groups
    .map((g) => g.groupId)
    .filter((g) => g.startsWith(`${labId}.`));
  return { topics, groups };
}

/**
 * Delete a lab's Redis keys and (unless told not to) its topics and consumer groups, and its folder. A
 * group is deleted once its members have left (a stopped service's leave reaches the coordinator a moment
 * later): it is tried again until `groupsWithinMs`; what is left then is the error.
 */
export async function sweepLab(
  labId: string,
  b: Brokers,
  what: { kafka: boolean; folder?: boolean; keep?: string[] } = { kafka: true },
  groupsWithinMs = 20_000,
): Promise<void> {
  const redis = new Redis(b.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const keep = new Set((what.keep ?? []).map((k) => keyPrefix(labId) + k));
    const keys = (await labKeys(redis, labId)).filter((k) => !keep.has(k));
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
  if (!what.kafka) return;
  if (what.folder !== false && !process.env.SKBLAB_KEEP_LOGS)
    fs.rmSync(labDir(labId), { recursive: true, force: true });
  const admin = new Kafka({
    clientId: `skblab-${labId}-cli`,
    brokers: b.kafka,
    sasl: b.kafkaSasl,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { topics } = await labKafka(admin, labId);
    if (topics.length) await admin.deleteTopics({ topics });
    const until = Date.now() + groupsWithinMs;
    for (;;) {
      const { groups } = await labKafka(admin, labId);
      if (!groups.length) break;
      const err = await admin.deleteGroups(groups).then(
        () => null,
        (e: Error) => e,
      );
      if (!err) break;
      if (Date.now() > until) {
        const left = (await labKafka(admin, labId)).groups;
        if (left.length)
          throw new Error(`consumer groups of lab '${labId}' still have members: ${left.join(', ')}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The record of the current process as a lab's owner. */
function ownerRecordOf(how: OwnerRecord['how'], pid = process.pid): OwnerRecord {
  const id = identify(pid) ?? { pid, startTime: '0', cmdline: process.argv };
  let user = process.env.USER ?? '?';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry: $USER
  }
  return { ...id, user, host: os.hostname(), startedAt: new Date().toISOString(), how };
}

function parseJson(raw: string | null | undefined): unknown {
  if (raw == null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** Who holds a lab, in words: `alice (pid 1234 on box1) at 2025-...`. */
export function describeOwner(o: Partial<OwnerRecord>): string {
  const by = `${String(o.user ?? 'someone')} (pid ${String(o.pid ?? '?')} on ${String(o.host ?? 'an unknown host')})`;
  return `${by}${o.startedAt ? ` at ${String(o.startedAt)}` : ''}`;
}

export class LabRunningError extends Error {
  constructor(
    readonly labId: string,
    readonly owner: Partial<OwnerRecord>,
  ) {
    super(
      `lab '${labId}' is running: started by ${describeOwner(owner)}` +
        (owner.how === 'spawn' ? ' (a shell with --spawn)' : '') +
        `; 'skblab down --lab ${labId}' stops it, 'skblab up --lab ${labId} --replace' replaces it`,
    );
    this.name = 'LabRunningError';
  }
}

/**
 * Whether a lab runs: its owner process is alive (pid, start time and command line as recorded), or, on
 * another host, recorded at all; or, its owner gone, one of its recorded services still runs here.
 * Resolves the owner's record when it runs, null when the id is free (or what is left of it is stale).
 */
export async function runningOwner(labId: string, b: Brokers): Promise<Partial<OwnerRecord> | null> {
  const redis = labRedis(labId, b);
  try {
    const owner = parseJson(await redis.get('owner')) as Partial<OwnerRecord> | null;
    if (owner && typeof owner === 'object') {
      if (owner.host !== os.hostname()) return owner;
      if (verify(owner).ok) return owner;
    }
    const services = await redis.hgetall('services');
    for (const raw of Object.values(services))
      if (verify(parseJson(raw)).ok) return owner ?? { user: 'someone', how: 'up' };
    return null;
  } finally {
    redis.disconnect();
  }
}

/**
 * Make `labId` ours (`how` names who holds it): refuse a running lab (LabRunningError) unless `replace`,
 * which stops it first; start afresh in Redis (the topics and consumer groups, with their committed
 * offsets, are kept: nothing old is consumed again) and record the owner.
 */
export async function claimLab(
  labId: string,
  b: Brokers,
  opts: { replace?: boolean; how: OwnerRecord['how']; log?: (l: string) => void },
): Promise<void> {
  const owner = await runningOwner(labId, b);
  if (owner && !opts.replace) throw new LabRunningError(labId, owner);
  if (owner) {
    opts.log?.(`skblab: replacing lab ${labId}, started by ${describeOwner(owner)}`);
    const r = await downLab(labId, b);
    for (const l of r.refused) opts.log?.(l);
  }
  await sweepLab(labId, b, { kafka: false });
  const redis = labRedis(labId, b);
  try {
    const ok = await redis.set('owner', JSON.stringify(ownerRecordOf(opts.how)), 'NX');
    if (!ok)
      throw new LabRunningError(
        labId,
        (parseJson(await redis.get('owner')) as Partial<OwnerRecord>) ?? { user: 'someone' },
      );
  } finally {
    redis.disconnect();
  }
}

/** Build the services if need be; the bundle of each layer. */
export async function serviceBundles(): Promise<Map<LayerName, string>> {
  const { ensureServices } = require(path.join(repoRoot(), 'libs/service/build.js')) as {
    ensureServices(l: readonly string[]): Promise<string[]>;
  };
  const bundles = await ensureServices(HOP_SERVICES);
  return new Map(HOP_SERVICES.map((l, i) => [l, bundles[i]]));
}

/** Create the lab's topics (each replica owns at least one partition of each) and publish its topology. */
async function prepareLab(labId: string, hosts: PublishedTopology, b: Brokers, replicas: number) {
  const node = new DistributedNode({
    labId,
    service: 'control',
    kafkaBrokers: b.kafka,
    kafkaSasl: b.kafkaSasl,
    redisUrl: b.redisUrl,
  });
  try {
    await node.createTopics(Math.max(2, replicas));
    await node.publishTopology(hosts);
  } finally {
    await node.stop();
  }
}

/** Start every instance, wait until each consumes, and record them in the `services` hash. */
export async function startInstances(
  labId: string,
  b: Brokers,
  replicas: number,
  detached: boolean,
  bundles: Map<LayerName, string>,
): Promise<Started[]> {
  const instances = instancesOf(HOP_SERVICES, replicas);
  const started: Started[] = [];
  const redis = new Redis(b.redisUrl, { keyPrefix: keyPrefix(labId), maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  try {
    const all = await Promise.allSettled(
      instances.map(({ layer, instance }) =>
        startService(layer, bundles.get(layer)!, labId, b, detached, instance),
      ),
    );
    for (const r of all) if (r.status === 'fulfilled') started.push(r.value);
    const failed = all.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await waitReady(
      redis,
      instances.map((i) => i.instance),
      90_000 + 15_000 * instances.length,
    );
    await redis.hset(
      'services',
      Object.fromEntries(started.map((s) => [s.instance, JSON.stringify(serviceRecord(s))])),
    );
    return started;
  } catch (e) {
    for (const s of started) s.child.kill('SIGKILL');
    throw e;
  } finally {
    redis.disconnect();
  }
}

/**
 * Create the topics, publish the topology and start every layer service (`replicas` of each, splitting the
 * hosts between them) as children of this process, which owns the lab; resolves when all consume.
 */
export async function upLab(
  labId: string,
  hosts: PublishedTopology,
  b: Brokers,
  detached: boolean,
  replicas = 1,
  replace = false,
): Promise<Started[]> {
  await claimLab(labId, b, { how: 'spawn', replace });
  await prepareLab(labId, hosts, b, replicas);
  return startInstances(labId, b, replicas, detached, await serviceBundles());
}

/** The CLI bundle (dist/skblab.js), which runs the supervisor (`skblab supervise`). */
function cliBundle(): string {
  const { ensureBuilt } = require(path.join(repoRoot(), 'tools', 'build.js')) as {
    ensureBuilt(name: string): string;
  };
  return ensureBuilt('skblab.js');
}

/** What the supervisor says of itself in Redis (the `supervisor` key). */
export interface SupervisorState {
  state: 'starting' | 'up' | 'failed';
  why?: string;
}

/**
 * `skblab up`: claim the lab, create its topics, publish its topology, then start its supervisor (a
 * process of its own, detached, writing to supervisor.log), which starts the services and keeps them
 * running. Resolves the services once they all consume.
 */
export async function upSupervised(
  labId: string,
  hosts: PublishedTopology,
  b: Brokers,
  replicas = 1,
  replace = false,
  log: (l: string) => void = () => undefined,
): Promise<ServiceRecord[]> {
  await claimLab(labId, b, { how: 'up', replace, log });
  await prepareLab(labId, hosts, b, replicas);
  await serviceBundles(); // built here, where a failure is seen
  const redis = labRedis(labId, b);
  try {
    await redis.set('supervisor', JSON.stringify({ state: 'starting' } satisfies SupervisorState));
    const out = logFile(labId, 'supervisor');
    ensureLabDir(labId);
    const fd = fs.openSync(out, 'a');
    const child = spawn(
      process.execPath,
      [cliBundle(), 'supervise', '--lab', labId, '--replicas', String(replicas)],
      {
        env: { ...process.env, KAFKA_BROKERS: b.kafka.join(','), REDIS_URL: b.redisUrl },
        stdio: ['ignore', fd, fd],
        detached: true,
      },
    );
    fs.closeSync(fd);
    child.unref();
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = signal ?? String(code)));
    const until = Date.now() + 120_000 + 15_000 * replicas * HOP_SERVICES.length;
    for (;;) {
      const s = parseJson(await redis.get('supervisor')) as SupervisorState | null;
      if (s?.state === 'up') break;
      if (s?.state === 'failed' || exited !== null || Date.now() > until) {
        if (exited === null) child.kill('SIGTERM');
        throw new Error(
          `the lab's services did not start: ${s?.why ?? (exited !== null ? `the supervisor exited (${exited})` : 'timed out')} (see ${out}):\n${tailOf(out)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const services = await redis.hgetall('services');
    return Object.values(services).map((v) => JSON.parse(v) as ServiceRecord);
  } finally {
    redis.disconnect();
  }
}

/** The channel a lab's supervisor takes requests on (`{"restart": "<instance>"}`). */
export function supervisorChannel(labId: string): string {
  return `${keyPrefix(labId)}supervisor`;
}

/**
 * `skblab restart --lab ID SERVICE`: ask the lab's supervisor to restart the service (SERVICE is an
 * instance, `nic-2`, or a layer: all its instances), and wait until each new process consumes. Resolves
 * the old and new pid of each.
 */
export async function restartService(
  labId: string,
  b: Brokers,
  service: string,
  timeoutMs = 120_000,
): Promise<Array<{ instance: string; from: number; to: number }>> {
  const redis = labRedis(labId, b);
  try {
    const services = await redis.hgetall('services');
    if (!Object.keys(services).length) {
      const owner = parseJson(await redis.get('owner')) as Partial<OwnerRecord> | null;
      if (!owner) throw new NoSuchLabError(labId);
      throw new Error(`lab '${labId}' has no services to restart (started by ${describeOwner(owner)})`);
    }
    const records = Object.entries(services).map(([instance, raw]) => ({
      instance,
      rec: parseJson(raw) as Partial<ServiceRecord> | null,
    }));
    const chosen = records.filter((r) => r.instance === service || r.rec?.layer === service);
    if (!chosen.length)
      throw new Error(
        `lab '${labId}' has no service '${service}' (it has ${records.map((r) => r.instance).join(', ')})`,
      );
    for (const { instance } of chosen) {
      const heard = await redis.publish(supervisorChannel(labId), JSON.stringify({ restart: instance }));
      if (!heard) {
        const owner = parseJson(await redis.get('owner')) as Partial<OwnerRecord> | null;
        throw new Error(
          `the supervisor of lab '${labId}' does not run${owner ? ` (it was pid ${owner.pid} on ${owner.host})` : ''}` +
            ` (see 'skblab logs --lab ${labId} supervisor'); 'skblab up --lab ${labId} --replace' starts the lab again`,
        );
      }
    }
    const until = Date.now() + timeoutMs;
    const out: Array<{ instance: string; from: number; to: number }> = [];
    for (const { instance, rec } of chosen) {
      for (;;) {
        const now = parseJson(await redis.hget('services', instance)) as Partial<ServiceRecord> | null;
        const ready = await redis.hget(KEYS.ready, instance);
        if (now?.pid && now.pid !== rec?.pid && ready === String(now.pid)) {
          out.push({ instance, from: Number(rec?.pid), to: now.pid });
          break;
        }
        if (Date.now() > until)
          throw new Error(
            `the ${instance} service did not consume again within ${timeoutMs / 1000} s (see 'skblab logs --lab ${labId} ${instance}')`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** The log files of a lab here (`SERVICE` narrows them: an instance, a layer, or `supervisor`). */
export function labLogs(labId: string, service?: string): Array<{ name: string; file: string }> {
  const dir = labDir(labId);
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
  } catch {
    throw new Error(
      `no logs of lab '${labId}' on this machine (${dir}): a lab started here with 'skblab up' keeps them there`,
    );
  }
  const all = files.map((f) => ({ name: f.slice(0, -4), file: path.join(dir, f) }));
  const order = (n: string) => {
    const i = HOP_SERVICES.indexOf(n.replace(/-\d+$/, '') as LayerName);
    return i < 0 ? -1 : i;
  };
  all.sort((a, c) => order(a.name) - order(c.name) || a.name.localeCompare(c.name, 'en', { numeric: true }));
  if (!service) return all;
  const chosen = all.filter((l) => l.name === service || l.name.replace(/-\d+$/, '') === service);
  if (!chosen.length)
    throw new Error(
      `lab '${labId}' has no log for '${service}' (it has ${all.map((l) => l.name).join(', ') || 'none'})`,
    );
  return chosen;
}

export class NoSuchLabError extends Error {
  constructor(readonly labId: string) {
    super(`no lab '${labId}': nothing in Redis or Kafka under that id`);
    this.name = 'NoSuchLabError';
  }
}

export interface DownResult {
  /** Services this command saw running and stopped (through their supervisor or itself). */
  stopped: number;
  /** One line for each record it refused to act on (a pid that is not what the record says). */
  refused: string[];
}

/**
 * Stop a lab: its owner (the supervisor, which stops the services it runs) and every recorded service,
 * each only when its pid, start time and command line are as recorded; then delete its keys, topics,
 * consumer groups and folder. A lab with nothing anywhere is NoSuchLabError.
 */
export async function downLab(labId: string, b: Brokers): Promise<DownResult> {
  const redis = labRedis(labId, b);
  let ownerRaw: string | null;
  let services: Record<string, string>;
  let keys: string[];
  try {
    [ownerRaw, services, keys] = await Promise.all([
      redis.get('owner'),
      redis.hgetall('services'),
      labKeys(redis, labId),
    ]);
  } finally {
    redis.disconnect();
  }
  if (!keys.length && !fs.existsSync(labDir(labId))) {
    const admin = new Kafka({
      clientId: 'skblab-cli',
      brokers: b.kafka,
      sasl: b.kafkaSasl,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const k = await labKafka(admin, labId).finally(() => admin.disconnect());
    if (!k.topics.length && !k.groups.length) throw new NoSuchLabError(labId);
  }
  const refused: string[] = [];
  const victims: Array<{ what: string; id: ProcIdentity }> = [];
  for (const [instance, raw] of Object.entries(services)) {
    const v = verify(parseJson(raw));
    if (v.ok) victims.push({ what: `the ${instance} service`, id: v.id });
    else if (!v.gone)
      refused.push(
        `skblab: refused to signal the services entry '${instance}' of lab ${labId}: ${v.why} (not a process this lab started)`,
      );
  }
  const owner = parseJson(ownerRaw) as Partial<OwnerRecord> | null;
  // The owner: the supervisor of an `up` lab. A --spawn shell stops its own services when it ends; this
  // does not stop the shell.
  if (owner && owner.how === 'up' && owner.host === os.hostname()) {
    const v = verify(owner);
    if (v.ok) {
      process.kill(v.id.pid, 'SIGTERM');
      if (!(await waitExit(v.id.pid, 20_000)) && verify(owner).ok) process.kill(v.id.pid, 'SIGKILL');
    } else if (!v.gone)
      refused.push(`skblab: refused to signal the owner of lab ${labId}: ${v.why} (not its supervisor)`);
  }
  // What the supervisor did not stop (or there was none): each service that is still the recorded one.
  for (const { id } of victims) if (verify(id).ok) process.kill(id.pid, 'SIGTERM');
  await Promise.all(
    victims.map(async ({ id }) => {
      if (!(await waitExit(id.pid, 10_000)) && verify(id).ok) process.kill(id.pid, 'SIGKILL');
    }),
  );
  await sweepLab(labId, b);
  return { stopped: victims.length, refused };
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
  /** Told when the lab does not settle: which service it waits on, how long, what to do. */
  onStall?: (report: string) => void;
}): Promise<DistributedLab> {
  const { labId, brokers } = opts;
  let started: Started[] = [];
  if (opts.spawn) {
    started = await upLab(labId, opts.hosts, brokers, false, opts.replicas ?? 1);
    opts.announce(
      `skblab: lab ${labId}: ${started.map((s) => `${s.instance} ${s.url}`).join(', ')} (logs in ${labDir(labId)})`,
    );
  }
  const node = new DistributedNode({
    labId,
    service: 'socket',
    kafkaBrokers: brokers.kafka,
    kafkaSasl: brokers.kafkaSasl,
    redisUrl: brokers.redisUrl,
    shipTraces: false,
    onStall: opts.onStall,
  });
  try {
    await node.loadTopology(opts.spawn ? 5_000 : 2_000);
    // Joining a running lab: its boot and earlier shells' configuration, in this view too.
    if (!opts.spawn) await node.config.replay();
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
      if (logOnly) await node.config.append(records);
      else if (records.length) await node.config.publish(records, services, line);
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
        await node.config.awaitApplied(services, 60_000 + 20 * (await node.redis.llen(KEYS.config)));
        return err;
      } finally {
        logOnly = false;
        node.lab.settle = settle;
      }
    },
    async close() {
      await node.stop();
      if (!opts.spawn) return;
      await stopChildren(started.map((s) => s.child));
      await sweepLab(labId, brokers).catch(() => undefined);
    },
  };
}
