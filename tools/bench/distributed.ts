/**
 * `npm run bench:distributed`: distributed mode over real Kafka and Redis, against the raw ceiling measured in
 * the same run on the same broker. Prints JSON; nothing is asserted (a benchmark, not a test).
 *
 * - skblab: UDP datagrams of 64 bytes over 127.0.0.1 from sendto to the reader's recvfrom (7 Kafka hops
 *   each), and ping RTTs over 127.0.0.1 (14 hops per echo and reply), in wall time.
 * - raw: a chain of the same number of kafkajs produce→consume hops with the same consumer settings and
 *   handlers that only forward the bytes: the most any design with a Kafka hop per layer could reach.
 *
 * Two shapes, each with its own raw chain: `processes` (each layer service its own process, as
 * `--spawn` runs them, and each raw hop its own process: tools/bench/raw-hop.js) and `inProcess` (every
 * service's node and every raw hop in this one process). BENCH_SHAPES=processes,inProcess picks.
 *
 * Brokers: KAFKA_BROKERS and REDIS_URL, else a Kafka 4.1.1 broker from tools/kafka-broker and the local Redis.
 * Medians over RUNS runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';
import * as path from 'node:path';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { AF_INET, IPPROTO_ICMP, SOCK_DGRAM } from '@skblab/kernel';
import { Task } from '@skblab/runtime';
import { DistributedNode, createTopicsAndWait, startInProcessLab } from '@skblab/distributed';
import { repoRoot, stopChildren, sweepLab, upLab, type Started } from '../../apps/cli/src/distributed';
import { brokers } from './brokers';
import { perMessage, servicesStats, totals, type SplitSource } from './node-time';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DATAGRAMS = Number(process.env.BENCH_DATAGRAMS ?? 2000);
const PINGS = Number(process.env.BENCH_PINGS ?? 100);
/** The labs' ids start with it (BENCH_LAB_PREFIX, default bench): topics, groups and Redis keys. */
const LAB_PREFIX = process.env.BENCH_LAB_PREFIX ?? 'bench';
const WINDOW = 128; // datagrams in flight at most (the reader's rcvbuf holds ~270)

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const now = () => Number(process.hrtime.bigint()) / 1e6;

// ---- skblab ---------------------------------------------------------------------------------------------

async function skblabDatagrams(shell: DistributedNode, n: number): Promise<number> {
  const lab = shell.lab;
  const host = lab.hosts.get('host1')!;
  const rx = new Task(lab, host, host.initNet, 'receiver', 1);
  const tx = new Task(lab, host, host.initNet, 'sender', 0);
  const rfd = rx.socket(AF_INET, SOCK_DGRAM, 0);
  rx.bind(rfd, 0x7f000001, 9000);
  const sfd = tx.socket(AF_INET, SOCK_DGRAM, 0);
  const buf = new Uint8Array(64);
  let received = 0;
  let sent = 0;
  const t0 = now();
  while (received < n) {
    while (sent < n && sent - received < WINDOW) {
      if (tx.sendto(sfd, buf, 0x7f000001, 9000) !== 64) throw new Error('send failed');
      sent++;
    }
    await rx.waitReadable(rfd, Infinity);
    while (typeof rx.tryRecv(rfd) !== 'number') received++;
  }
  const ms = now() - t0;
  rx.closeAll();
  tx.closeAll();
  await shell.idle();
  return (n / ms) * 1000;
}

async function skblabPings(shell: DistributedNode, n: number): Promise<number[]> {
  const lab = shell.lab;
  const host = lab.hosts.get('host1')!;
  const t = new Task(lab, host, host.initNet, 'ping', 0);
  const fd = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  const rtts: number[] = [];
  for (let i = 0; i < n; i++) {
    const echo = new Uint8Array(64);
    echo[0] = 8; // ICMP_ECHO; the ping socket fills in the id and checksum
    echo[7] = i & 0xff;
    const t0 = now();
    if (t.sendto(fd, echo, 0x7f000001, 0) < 0) throw new Error('ping send failed');
    await t.waitReadable(fd, Infinity);
    rtts.push(now() - t0);
    if (typeof t.tryRecv(fd) === 'number') throw new Error('no echo reply');
  }
  t.closeAll();
  await shell.idle();
  return rtts;
}

// ---- raw chain ------------------------------------------------------------------------------------------

/** Hop i of a raw chain as its own process (tools/bench/raw-hop.js); resolves when its group has joined. */
function rawHopProcess(
  root: string,
  kafka: string[],
  from: string,
  to: string,
  group: string,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'tools', 'bench', 'raw-hop.js'), kafka.join(','), from, to, group],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (l) => l === 'ready' && resolve(child));
    child.on('exit', (code) => reject(new Error(`raw hop ${group} exited (${code})`)));
  });
}

async function rawChain(labId: string, kafka: string[], hops: number, processes = false) {
  const k = new Kafka({ clientId: `${labId}-raw`, brokers: kafka, logLevel: logLevel.NOTHING });
  const topics = Array.from({ length: hops + 1 }, (_, i) => `skblab.${labId}.raw${i}`);
  const admin = k.admin();
  await admin.connect();
  try {
    // Not createTopics({waitForLeaders: true}): a fresh KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION
    // for a moment, which kafkajs's wait does not retry (see libs/distributed/src/topics.ts).
    await createTopicsAndWait(
      admin,
      topics.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    );
  } finally {
    await admin.disconnect();
  }
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];
  const children: ChildProcess[] = [];
  let arrived: (() => void) | null = null;
  let count = 0;
  for (let i = 1; i <= hops; i++) {
    if (processes && i < hops) {
      children.push(await rawHopProcess(repoRoot(), kafka, topics[i - 1], topics[i], `${labId}.raw${i}`));
      continue;
    }
    const producer = k.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    producers.push(producer);
    const c = k.consumer({
      groupId: `${labId}.raw${i}`,
      maxWaitTimeInMs: 50,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    const joined = new Promise<void>((r) => c.on(c.events.GROUP_JOIN, () => r()));
    await c.connect();
    await c.subscribe({ topic: topics[i - 1], fromBeginning: true });
    const last = i === hops;
    await c.run({
      eachBatch: async ({ batch }) => {
        if (last) {
          count += batch.messages.length;
          arrived?.();
          return;
        }
        await producer.sendBatch({
          acks: -1,
          topicMessages: [
            { topic: topics[i], messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) },
          ],
        });
      },
    });
    consumers.push(c);
    await joined;
  }
  const head = k.producer();
  await head.connect();
  const value = Buffer.alloc(180);
  const waitFor = (target: number) =>
    new Promise<void>((r) => {
      arrived = () => count >= target && r();
      arrived();
    });
  return {
    async throughput(n: number) {
      count = 0;
      const t0 = now();
      let sent = 0;
      while (sent < n) {
        const burst = Math.min(WINDOW - (sent - count), n - sent);
        if (burst > 0) {
          await head.send({
            topic: topics[0],
            messages: Array.from({ length: burst }, () => ({ key: 'host1:0', value })),
          });
          sent += burst;
        }
        await waitFor(Math.min(n, count + 1));
      }
      await waitFor(n);
      return (n / (now() - t0)) * 1000;
    },
    async latency(n: number) {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        count = 0;
        const t0 = now();
        await head.send({ topic: topics[0], messages: [{ key: 'host1:0', value }] });
        await waitFor(1);
        out.push(now() - t0);
      }
      return out;
    },
    async stop() {
      // Their groups are deleted next (sweepLab): only an empty group can be.
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((r) => {
              if (c.exitCode !== null || c.signalCode !== null) return r();
              c.once('exit', () => r());
              c.kill('SIGTERM');
            }),
        ),
      );
      await head.disconnect();
      await Promise.all([...consumers.map((c) => c.disconnect()), ...producers.map((p) => p.disconnect())]);
    },
  };
}

interface ShapeResult {
  skblab: { udpDatagramsPerSec: number; pingRttP50Ms: number; pingRttP99Ms: number };
  raw: { chain7MessagesPerSec: number; chain14RttP50Ms: number; chain14RttP99Ms: number };
  ratios: { throughput: number; latencyP50: number };
  /** Per message a service handled: delivery (produced → handled), decode, kernel work, produce, Redis. */
  perMessage: Record<string, number>;
}

/** RUNS runs of both measurements on a lab and its raw chains; medians. */
async function measure(
  shell: DistributedNode,
  labId: string,
  kafka: string[],
  redisUrl: string,
  processes: boolean,
  split: SplitSource,
): Promise<ShapeResult> {
  const rawUdp = await rawChain(`${labId}-u`, kafka, 7, processes);
  const rawPing = await rawChain(`${labId}-p`, kafka, 14, processes);
  try {
    const dg: number[] = [];
    const rawDg: number[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    const rawP50: number[] = [];
    const rawP99: number[] = [];
    await skblabDatagrams(shell, 200); // warm-up
    await rawUdp.throughput(200);
    const before = await totals(split);
    for (let r = 0; r < RUNS; r++) {
      dg.push(await skblabDatagrams(shell, DATAGRAMS));
      rawDg.push(await rawUdp.throughput(DATAGRAMS));
      const s = await skblabPings(shell, PINGS);
      p50.push(pct(s, 0.5));
      p99.push(pct(s, 0.99));
      const raw = await rawPing.latency(PINGS);
      rawP50.push(pct(raw, 0.5));
      rawP99.push(pct(raw, 0.99));
    }
    const after = await totals(split);
    return {
      skblab: {
        udpDatagramsPerSec: Math.round(median(dg)),
        pingRttP50Ms: +median(p50).toFixed(2),
        pingRttP99Ms: +median(p99).toFixed(2),
      },
      raw: {
        chain7MessagesPerSec: Math.round(median(rawDg)),
        chain14RttP50Ms: +median(rawP50).toFixed(2),
        chain14RttP99Ms: +median(rawP99).toFixed(2),
      },
      ratios: {
        throughput: +(median(dg) / median(rawDg)).toFixed(2),
        latencyP50: +(median(p50) / median(rawP50)).toFixed(2),
      },
      perMessage: perMessage(before, after),
    };
  } finally {
    await Promise.all([rawUdp.stop(), rawPing.stop()]);
    const b = { kafka, redisUrl };
    await Promise.all([sweepLab(`${labId}-u`, b), sweepLab(`${labId}-p`, b)]).catch(() => undefined);
  }
}

async function main() {
  const b = await brokers();
  const shapes = (process.env.BENCH_SHAPES ?? 'processes,inProcess').split(',');
  const res: Record<string, unknown> = {
    runs: RUNS,
    datagrams: DATAGRAMS,
    pings: PINGS,
    kafka: b.kafka.join(','),
    kafkaHopsPerDatagram: 7,
    kafkaHopsPerPing: 14,
  };
  try {
    if (shapes.includes('processes')) {
      const labId = `${LAB_PREFIX}-${process.pid}-p`;
      const started: Started[] = await upLab(
        labId,
        [{ name: 'host1', cpus: 2 }],
        { kafka: b.kafka, redisUrl: b.redis },
        false,
      );
      const shell = new DistributedNode({
        labId,
        service: 'socket',
        kafkaBrokers: b.kafka,
        redisUrl: b.redis,
        shipTraces: false,
      });
      try {
        await shell.loadTopology();
        await shell.start();
        res.processes = {
          where: 'each layer service its own process (as --spawn runs them), each raw hop its own process',
          ...(await measure(shell, labId, b.kafka, b.redis, true, async () => [
            shell.stats,
            ...(await servicesStats(started)),
          ])),
        };
      } finally {
        await shell.stop();
        await stopChildren(started.map((s) => s.child));
        await sweepLab(labId, { kafka: b.kafka, redisUrl: b.redis }).catch(() => undefined);
      }
    }
    if (shapes.includes('inProcess')) {
      const labId = `${LAB_PREFIX}-${process.pid}-i`;
      const lab = await startInProcessLab({
        labId,
        kafkaBrokers: b.kafka,
        redisUrl: b.redis,
        shipTraces: process.env.BENCH_TRACES !== '0',
      });
      const shell = lab.shell;
      try {
        res.inProcess = {
          where: 'every service node and every raw hop in this one process',
          ...(await measure(shell, labId, b.kafka, b.redis, false, async () => [
            shell.stats,
            ...[...lab.services.values()].map((n) => n.stats),
          ])),
        };
      } finally {
        await lab.stop();
        await sweepLab(labId, { kafka: b.kafka, redisUrl: b.redis }).catch(() => undefined);
      }
    }
    res.goals = { throughputAtLeast: 0.8, latencyP50AtMost: 1.25 };
    process.stdout.write(JSON.stringify(res, null, 2) + '\n');
  } finally {
    await b.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench:distributed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
