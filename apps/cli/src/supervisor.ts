/**
 * `skblab supervise --lab ID [--replicas N]`: what `skblab up` leaves running. It starts the lab's
 * services as its children (each writing to its own log file), records each one (pid, start time, command
 * line, URL) in the `services` hash, takes over the lab's `owner` record, and then keeps them running: a
 * service that exits unexpectedly is started again after a back-off (1 s, doubling up to 30 s; a service
 * that ran for a minute starts again at 1 s), and the restart is logged here (supervisor.log), counted in
 * the `restarts` hash, and its new pid recorded. `skblab restart` asks for a restart on the lab's
 * supervisor channel. SIGTERM (from `skblab down`) stops every service, then the supervisor.
 *
 * It outlives Redis and Kafka outages: its Redis connection retries for ever, and what it writes waits
 * for Redis to be back.
 */
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { HOP_SERVICES, type LayerName } from '@skblab/contracts';
import { keyPrefix, tolerateBrokenOutput } from '@skblab/distributed';
import {
  instancesOf,
  serviceBundles,
  serviceRecord,
  startInstances,
  startService,
  stopChildren,
  supervisorChannel,
  type Brokers,
  type OwnerRecord,
  type Started,
  type SupervisorState,
} from './distributed';
import { identify } from './procs';

/** The back-off before the n-th restart in a row (n ≥ 1). */
export function backoffMs(n: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));
}

/** A service that ran this long before it exited starts its back-off afresh. */
const STABLE_MS = 60_000;

interface Supervised {
  layer: LayerName;
  instance: string;
  child: ChildProcess | null;
  startedAt: number;
  /** Restarts in a row (reset once it has run STABLE_MS). */
  failures: number;
  timer: NodeJS.Timeout | null;
  /** A restart was asked for (`skblab restart`): not a crash. */
  requested: boolean;
}

export async function supervise(
  labId: string,
  b: Brokers,
  replicas: number,
  log: (line: string) => void = (l) => void process.stdout.write(`${new Date().toISOString()} ${l}\n`),
): Promise<number> {
  tolerateBrokenOutput();
  const redis = new Redis(b.redisUrl, {
    keyPrefix: keyPrefix(labId),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 4), 2000),
  });
  let redisDown = false;
  redis.on('error', (e: Error) => {
    if (!redisDown) log(`redis: ${e.message} (retrying)`);
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) log('redis: connected again');
    redisDown = false;
  });
  const say = (s: SupervisorState) => redis.set('supervisor', JSON.stringify(s));
  const bundles = await serviceBundles();
  // The lab's owner is this process from now on (`up`, which claimed it, exits).
  const owner = JSON.parse((await redis.get('owner')) ?? '{}') as Partial<OwnerRecord>;
  const me = identify(process.pid);
  if (me) await redis.set('owner', JSON.stringify({ ...owner, ...me, how: 'up' }));

  const units = new Map<string, Supervised>();
  let stopping = false;

  const watch = (u: Supervised, s: Started) => {
    u.child = s.child;
    u.startedAt = Date.now();
    s.child.once('exit', (code, signal) => onExit(u, s.child, code, signal));
  };

  const record = (s: Started) =>
    redis
      .hset('services', s.instance, JSON.stringify(serviceRecord(s)))
      .catch((e: Error) => log(`cannot record ${s.instance}: ${e.message}`));

  const restart = async (u: Supervised) => {
    u.timer = null;
    if (stopping) return;
    try {
      const s = await startService(u.layer, bundles.get(u.layer)!, labId, b, false, u.instance);
      if (stopping) return void s.child.kill('SIGTERM');
      watch(u, s);
      log(`${u.instance} started again (pid ${s.child.pid}, ${s.url})`);
      await record(s);
    } catch (e) {
      u.child = null;
      u.startedAt = Date.now();
      crashed(u, `did not start: ${(e as Error).message.split('\n')[0]}`);
    }
  };

  const crashed = (u: Supervised, what: string) => {
    if (Date.now() - u.startedAt >= STABLE_MS) u.failures = 0;
    u.failures++;
    const delay = backoffMs(u.failures);
    log(`${u.instance} ${what}; restarting it in ${delay / 1000} s (restart ${u.failures} in a row)`);
    void redis.hincrby('restarts', u.instance, 1).catch(() => undefined);
    u.timer = setTimeout(() => void restart(u), delay);
  };

  const onExit = (u: Supervised, child: ChildProcess, code: number | null, signal: string | null) => {
    if (u.child !== child) return;
    u.child = null;
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    if (u.requested) {
      u.requested = false;
      log(`${u.instance} (pid ${child.pid}) ${how} for a restart that was asked for`);
      void redis.hincrby('restarts', u.instance, 1).catch(() => undefined);
      void restart(u);
      return;
    }
    crashed(u, `(pid ${child.pid}) ${how} after ${((Date.now() - u.startedAt) / 1000).toFixed(1)} s`);
  };

  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping the services`);
    for (const u of units.values()) if (u.timer) clearTimeout(u.timer);
    await stopChildren(
      [...units.values()].flatMap((u) => (u.child ? [u.child] : [])),
      10_000,
    );
    log('stopped');
    subscriber.disconnect();
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // `skblab restart`: {"restart": "<instance>"} on the lab's supervisor channel.
  const subscriber = new Redis(b.redisUrl, { maxRetriesPerRequest: null });
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, message: string) => {
    let asked: unknown;
    try {
      asked = (JSON.parse(message) as { restart?: unknown }).restart;
    } catch {
      return void log(`ignored a message on the supervisor channel: not JSON`);
    }
    const u = typeof asked === 'string' ? units.get(asked) : undefined;
    if (!u) return void log(`ignored a restart of ${JSON.stringify(asked)}: no such service`);
    log(`restart of ${u.instance} asked for`);
    if (u.timer) {
      clearTimeout(u.timer);
      void restart(u);
    } else if (u.child) {
      u.requested = true;
      const child = u.child;
      child.kill('SIGTERM');
      setTimeout(() => u.child === child && child.kill('SIGKILL'), 10_000).unref();
    }
  });
  await subscriber.subscribe(supervisorChannel(labId));

  log(`lab ${labId}: starting ${instancesOf(HOP_SERVICES, replicas).length} services`);
  try {
    const started = await startInstances(labId, b, replicas, false, bundles);
    for (const s of started) {
      const u: Supervised = {
        layer: s.layer,
        instance: s.instance,
        child: null,
        startedAt: Date.now(),
        failures: 0,
        timer: null,
        requested: false,
      };
      units.set(s.instance, u);
      watch(u, s);
      log(`${s.instance} started (pid ${s.child.pid}, ${s.url})`);
    }
  } catch (e) {
    log(`the services did not start: ${(e as Error).message}`);
    await say({ state: 'failed', why: (e as Error).message.split('\n')[0] }).catch(() => undefined);
    subscriber.disconnect();
    redis.disconnect();
    return 1;
  }
  await say({ state: 'up' });
  log(`lab ${labId}: every service consumes`);
  return new Promise<number>(() => undefined); // until SIGTERM
}
