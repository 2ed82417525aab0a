/**
 * `npm run bench:scale:distributed`: the generated data-centre topology of `bench:scale` (25 racks of 40
 * hosts behind rack routers and a core router: 1,026 hosts) in distributed mode, every layer service run as
 * BENCH_REPLICAS replicas (default 2) that split the hosts. Prints JSON: how long the services take to start
 * and consume (each builds the whole topology), how long the boot takes (the hosts' ~4,000 configuration
 * lines, applied by every replica), each process's memory, and what one ping costs in wall time between two
 * hosts of a rack and across the core, against the same pings in the smallest lab of that shape (one rack
 * of two hosts, one replica of each service) measured in the same run, with where the services' time went
 * during each kind of ping (per message: delivery, decode, kernel, produce, Redis). Nothing is asserted.
 *
 * Brokers: KAFKA_BROKERS and REDIS_URL, else a Kafka 4.1.1 broker from tools/kafka-broker and the local Redis.
 */
import { defaultCommands } from '@skblab/userland';
import { bootTopology, newShell } from '@skblab/shell';
import { racksTopology, type TopologySpec } from '@skblab/topology';
import { bootLines } from '@skblab/runtime';
import {
  openDistributedLab,
  sweepLab,
  upLab,
  type DistributedLab,
  type Started,
} from '../../apps/cli/src/distributed';
import { brokers } from './brokers';
import { median, now, rssMiB } from './measure';
import { perMessage, servicesStats, totals, type TimeSplit } from './node-time';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PINGS = Number(process.env.BENCH_PINGS ?? 20);
const RACKS = Number(process.env.BENCH_RACKS ?? 25);
const PER_RACK = Number(process.env.BENCH_HOSTS_PER_RACK ?? 40);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 2);

interface Running {
  opened: DistributedLab;
  started: Started[];
  labId: string;
  upMs: number;
  bootMs: number;
}

async function bring(
  name: string,
  spec: TopologySpec,
  replicas: number,
  b: { kafka: string[]; redisUrl: string },
): Promise<Running> {
  const labId = `bench-scale-${process.pid}-${name}`;
  const t0 = now();
  const started = await upLab(labId, spec, b, false, replicas);
  const upMs = now() - t0;
  const opened = await openDistributedLab({
    labId,
    spawn: false,
    hosts: spec,
    brokers: b,
    announce: () => undefined,
  });
  const t1 = now();
  const err = await opened.boot((around) => bootTopology(opened.lab, spec, defaultCommands(), around));
  if (err) throw new Error(err);
  return { opened, started, labId, upMs, bootMs: now() - t1 };
}

async function stop(r: Running, b: { kafka: string[]; redisUrl: string }): Promise<void> {
  await r.opened.close();
  for (const s of r.started) s.child.kill('SIGKILL');
  await sweepLab(r.labId, b).catch(() => undefined);
}

/** A shell on `from` pinging `to`: each call returns the wall time per ping (ms), PINGS of them. */
function pinger(r: Running, from: string, to: string): () => Promise<number> {
  let text = '';
  const sh = newShell(r.opened.lab, r.opened.lab.hosts.get(from)!, defaultCommands(), {
    out: (s) => void (text += s),
    err: (s) => void (text += s),
    aroundLine: r.opened.aroundLine(from),
  });
  return async () => {
    text = '';
    const t0 = now();
    await sh.runLine(`ping -c ${PINGS} -i 0.002 -q ${to}`);
    const ms = now() - t0;
    if (!text.includes(`${PINGS} received`)) throw new Error(`ping ${from} → ${to} lost replies:\n${text}`);
    return ms / PINGS;
  };
}

async function main(): Promise<void> {
  const br = await brokers();
  const b = { kafka: br.kafka, redisUrl: br.redis };
  const running: Running[] = [];
  try {
    const small = await bring('small', racksTopology({ racks: 1, hostsPerRack: 2 }), 1, b);
    running.push(small);
    const spec = racksTopology({ racks: RACKS, hostsPerRack: PER_RACK });
    const big = await bring('big', spec, REPLICAS, b);
    running.push(big);
    const pingers = {
      smallRack: pinger(small, 'r1h1', '10.1.2.2'),
      bigRack: pinger(big, 'r1h1', '10.1.2.2'),
      bigAcrossCore: pinger(big, 'r1h1', `10.${RACKS}.${PER_RACK}.2`),
    };
    type K = keyof typeof pingers;
    const keys = Object.keys(pingers) as K[];
    for (const k of keys) await pingers[k](); // ARP resolved, caches and the JIT warm
    const cost = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
    // Where the services' time went during each kind of ping (summed over its runs).
    const labOf: Record<K, Running> = { smallRack: small, bigRack: big, bigAcrossCore: big };
    const zero = (): TimeSplit => ({ messages: 0, delivery: 0, decode: 0, kernel: 0, produce: 0, redis: 0 });
    const spent = Object.fromEntries(keys.map((k) => [k, zero()])) as Record<K, TimeSplit>;
    // Interleaved, so that drift (GC, the broker's own work) falls on all of them alike.
    for (let i = 0; i < RUNS; i++)
      for (const k of keys) {
        const stats = () => servicesStats(labOf[k].started);
        const before = await totals(stats);
        cost[k].push(await pingers[k]());
        const after = await totals(stats);
        for (const f of Object.keys(after) as (keyof TimeSplit)[]) spent[k][f] += after[f] - before[f];
      }
    const ms = (xs: number[]) => Math.round(median(xs) * 100) / 100;
    const rss = big.started.map((s) => rssMiB(s.child.pid));
    process.stdout.write(
      JSON.stringify(
        {
          hosts: spec.hosts.length,
          wires: spec.wires.length,
          replicasPerService: REPLICAS,
          processes: big.started.length,
          servicesUpMs: Math.round(big.upMs),
          bootMs: Math.round(big.bootMs),
          bootLines: [...bootLines(spec).values()].reduce((n, l) => n + l.length, 0),
          rssMiBPerProcess: { median: median(rss), max: Math.max(...rss) },
          rssMiBTotal: rss.reduce((a, x) => a + x, 0),
          pingMs: {
            smallRack: ms(cost.smallRack),
            bigRack: ms(cost.bigRack),
            bigAcrossCore: ms(cost.bigAcrossCore),
          },
          ratioBigRackToSmallRack: Math.round((median(cost.bigRack) / median(cost.smallRack)) * 100) / 100,
          // Per message the services handled during those pings (ms): where a bigger lab's ping goes.
          perMessage: Object.fromEntries(keys.map((k) => [k, perMessage(zero(), spent[k])])),
          runs: RUNS,
          pingsPerRun: PINGS,
          node: process.version,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    for (const r of running) await stop(r, b);
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
