/**
 * `npm run bench:class`: a class of BENCH_LABS labs (default 100) on one set of services (SKBLAB_CLASS: a
 * process per layer, and the control service that makes the labs through POST /labs), each lab booted
 * with the default two-host topology. First one lab alone: a shell on it pings host2 (PINGS pings a run,
 * RUNS runs). Then the other labs are made, and once every service serves them all: the services' idle
 * memory (RSS), and the same pings in that first lab and, run by run, in a randomly chosen other lab
 * (a shell opened on it, one ping to warm it, the timed pings, the shell closed). Prints JSON against
 * the issue's goals (idle RSS of the services ≤ 4 GB; ping p50 in a lab among 100 ≤ 1.5× a lone lab's,
 * same run). Nothing is asserted.
 *
 * Brokers: KAFKA_BROKERS and REDIS_URL, else a Kafka 4.1.1 broker from tools/kafka-broker and the local Redis.
 */
import Redis from 'ioredis';
import { HOP_SERVICES, type LayerName } from '@skblab/contracts';
import { classLabsKey, keyPrefix } from '@skblab/distributed';
import { newShell } from '@skblab/shell';
import { defaultCommands } from '@skblab/userland';
import {
  openDistributedLab,
  repoRoot,
  serviceBundles,
  startService,
  stopChildren,
  waitReady,
  type DistributedLab,
  type Started,
} from '../../apps/cli/src/distributed';
import { brokers } from './brokers';
import { median, now, rssMiB } from './measure';
import { perMessage, servicesStats, totals, type TimeSplit } from './node-time';

const LABS = Number(process.env.BENCH_LABS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PINGS = Number(process.env.BENCH_PINGS ?? 10);
const TOKEN = `bench-class-${process.pid}-0123456789`;

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * A shell on host1 of `lab` pinging host2: each call returns the wall time per ping (ms). The first ping
 * (ARP, and a paused lab's partitions taken up) is timed on its own and told to `first`; then one call
 * warms the caches and the JIT.
 */
async function pinger(o: DistributedLab, first?: (ms: number) => void): Promise<() => Promise<number>> {
  let text = '';
  const sh = newShell(o.lab, o.lab.hosts.get('host1')!, defaultCommands(), {
    out: (s) => void (text += s),
    err: (s) => void (text += s),
    aroundLine: o.aroundLine('host1'),
  });
  const ping = async (count = PINGS) => {
    text = '';
    const t0 = now();
    await sh.runLine(`ping -c ${count} -i 0.002 -q 192.168.1.2`);
    const ms = now() - t0;
    if (!text.includes(`${count} received`)) throw new Error(`ping in lab ${o.labId} lost replies:\n${text}`);
    return ms / count;
  };
  const once = await ping(1);
  first?.(once);
  await ping();
  return () => ping();
}

async function main(): Promise<void> {
  const br = await brokers();
  const b = { kafka: br.kafka, redisUrl: br.redis };
  const classId = `bench-class-${process.pid}`;
  const labIds = Array.from({ length: LABS }, (_, i) => `${classId}-${i + 1}`);
  const env = { SKBLAB_CLASS: classId, SKBLAB_INSTRUCTOR_TOKEN: TOKEN };
  const redis = new Redis(b.redisUrl, { maxRetriesPerRequest: null });
  const started: Started[] = [];
  const opened: DistributedLab[] = [];
  try {
    const { ensureServices } = require(`${repoRoot()}/libs/service/build.js`) as {
      ensureServices(l: readonly string[]): Promise<string[]>;
    };
    const bundles = await serviceBundles();
    const [controlBundle] = await ensureServices(['control']);
    started.push(
      ...(await Promise.all([
        startService('control', controlBundle, classId, b, false, 'control', 60_000, env),
        ...HOP_SERVICES.map((l: LayerName) =>
          startService(l, bundles.get(l)!, classId, b, false, l, 60_000, env),
        ),
      ])),
    );
    const control = started[0].url;
    const hopServices = started.filter((s) => s.layer !== 'control');
    const made: number[] = [];
    const make = async (id: string) => {
      const t0 = now();
      const r = await fetch(`${control}/labs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ id }),
      });
      if (r.status !== 201) throw new Error(`POST /labs ${id}: ${r.status} ${await r.text()}`);
      made.push(now() - t0);
    };
    const ready = async (id: string) => {
      const r = new Redis(b.redisUrl, { keyPrefix: keyPrefix(id), maxRetriesPerRequest: null });
      try {
        await waitReady(r, HOP_SERVICES, 300_000);
      } finally {
        r.disconnect();
      }
    };
    const open = async (id: string) => {
      const o = await openDistributedLab({
        labId: id,
        spawn: false,
        hosts: [],
        brokers: b,
        announce: () => {},
      });
      opened.push(o);
      return pinger(o);
    };

    // One lab alone.
    await make(labIds[0]);
    await ready(labIds[0]);
    const first = await open(labIds[0]);
    const stats = () => servicesStats(hopServices);
    const lone: number[] = [];
    const loneBefore = await totals(stats);
    for (let i = 0; i < RUNS; i++) lone.push(await first());
    const loneSplit = perMessage(loneBefore, await totals(stats));
    const rssLone = hopServices.map((s) => rssMiB(s.child.pid));

    // The rest of the class, made a few at a time as an instructor's script would.
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    const redisBefore = await usedMemory();
    const t0 = now();
    for (let i = 1; i < labIds.length; i += 4) await Promise.all(labIds.slice(i, i + 4).map(make));
    for (const id of labIds) await ready(id);
    const classUpMs = now() - t0;
    // Idle: give the services a moment (and their collectors a turn) before reading their memory.
    // Idle: until every service has paused the labs nobody uses (and its collectors have had a turn).
    const pausedEverywhere = async () => {
      const states = await Promise.all(
        hopServices.map(async (s) => (await (await fetch(`${s.url}/state`)).json()) as { paused: string[] }),
      );
      return Math.min(...states.map((st) => st.paused.length));
    };
    for (const until = Date.now() + 60_000; Date.now() < until; ) {
      if ((await pausedEverywhere()) >= LABS - 1) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const pausedAtIdle = await pausedEverywhere();
    const rss = started.map((s) => ({ instance: s.instance, mib: rssMiB(s.child.pid) }));
    // What the other labs added to Redis (the shared Redis may hold other keys too: a difference).
    const redisPerLabKiB = Math.round((await usedMemory()) - redisBefore) / 1024 / (LABS - 1);

    // Each run: the first lab's pings, then a shell on a random other lab (idle until then, as a student's
    // lab is before they type), a ping to warm it, its timed pings, and the shell closed again.
    const sameLab: number[] = [];
    const randomLab: number[] = [];
    /** A student's first ping in a lab that was idle (paused): ARP, and the lab's partitions taken up. */
    const firstPing: number[] = [];
    const zero: TimeSplit = { messages: 0, delivery: 0, decode: 0, kernel: 0, produce: 0, redis: 0 };
    const spent = { ...zero };
    const timed = async (ping: () => Promise<number>) => {
      const before = await totals(stats);
      const ms = await ping();
      const after = await totals(stats);
      for (const k of Object.keys(spent) as (keyof TimeSplit)[]) spent[k] += after[k] - before[k];
      return ms;
    };
    for (let i = 0; i < RUNS; i++) {
      sameLab.push(await timed(first));
      const id = labIds[1 + Math.floor(Math.random() * (labIds.length - 1))];
      let firstMs = 0;
      const o = await openDistributedLab({
        labId: id,
        spawn: false,
        hosts: [],
        brokers: b,
        announce: () => {},
      });
      try {
        randomLab.push(await timed(await pinger(o, (ms) => (firstMs = ms))));
        firstPing.push(firstMs);
      } finally {
        await o.close();
      }
    }
    const classSplit = perMessage(zero, spent);
    const total = rss.reduce((a, r) => a + r.mib, 0);
    process.stdout.write(
      JSON.stringify(
        {
          labs: LABS,
          processes: started.length,
          classUpMs: Math.round(classUpMs),
          postLabMsMedian: Math.round(median(made)),
          idleRssMiB: { perProcess: rss, total, goalMiB: 4096, withinGoal: total <= 4096 },
          labsPausedAtIdle: pausedAtIdle,
          firstPingInIdleLabMsP50: round(median(firstPing)),
          idleRssMiBWithOneLab: rssLone.reduce((a, x) => a + x, 0),
          redisKiBPerLab: Math.round(redisPerLabKiB),
          pingMsP50: {
            loneLab: round(median(lone)),
            sameLabAmong100: round(median(sameLab)),
            randomLabAmong100: round(median(randomLab)),
          },
          ratioAmongClassToLone: round(median([...sameLab, ...randomLab]) / median(lone)),
          goalRatio: 1.5,
          // Per message the services handled during those pings (ms): where a class's ping goes.
          perMessage: { loneLab: loneSplit, amongClass: classSplit },
          runs: RUNS,
          pingsPerRun: PINGS,
          node: process.version,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    for (const o of opened) await o.close().catch(() => undefined);
    await stopChildren(started.map((s) => s.child)).catch(() => undefined);
    for (const id of labIds) {
      const keys = await redis.keys(`${keyPrefix(id)}*`);
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    }
    await redis.del(classLabsKey(classId));
    redis.disconnect();
    await br.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
