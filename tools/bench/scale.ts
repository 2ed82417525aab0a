/**
 * `npm run bench:scale`: a generated data-centre topology (25 racks of 40 hosts behind rack routers and a
 * core router: 1,026 hosts) booted in the embedded lab. Prints JSON: its boot time and memory, and what one
 * ping costs (wall time per ping, median of RUNS interleaved batches): between a host and its rack router
 * (one wire, as in the default two-host lab, whose ping is the baseline), between two hosts of a rack
 * (through their rack router) against the same ping in the smallest lab of that shape (one rack of two
 * hosts: 4 hosts), and across the core. The ratios big/two-host (one wire) and big/small (one router)
 * are what scale costs a packet. Batches of fewer than ~1,000 pings are a few ms long and their medians
 * swing with each GC, hence the defaults. Nothing is asserted (a benchmark, not a test).
 */
import { Lab, buildHardware } from '@skblab/runtime';
import { defaultTopology, racksTopology, type TopologySpec } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { bootTopology, newShell } from '@skblab/shell';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const PINGS = Number(process.env.BENCH_PINGS ?? 1000);
const RACKS = Number(process.env.BENCH_RACKS ?? 25);
const PER_RACK = Number(process.env.BENCH_HOSTS_PER_RACK ?? 40);

async function boot(spec: TopologySpec): Promise<{ lab: Lab; ms: number }> {
  const t0 = performance.now();
  const lab = new Lab({ traceLevel: 'off' });
  buildHardware(lab, spec);
  const err = await bootTopology(lab, spec, defaultCommands());
  if (err) throw new Error(err);
  return { lab, ms: performance.now() - t0 };
}

/** A shell on `from` that pings `to`; each call returns ns of wall time per ping (PINGS of them). */
async function pinger(lab: Lab, from: string, to: string): Promise<() => Promise<number>> {
  let text = '';
  const sh = newShell(lab, lab.hosts.get(from)!, defaultCommands(), {
    out: (s) => void (text += s),
    err: (s) => void (text += s),
  });
  const batch = async (): Promise<number> => {
    text = '';
    const t0 = process.hrtime.bigint();
    await sh.runLine(`ping -c ${PINGS} -i 0.002 -q ${to}`);
    const ns = Number(process.hrtime.bigint() - t0);
    if (!text.includes(`${PINGS} received`)) throw new Error(`ping ${from} → ${to} lost replies:\n${text}`);
    return ns / PINGS;
  };
  await batch(); // ARP resolved, caches and the JIT warm
  return batch;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const two = await boot(defaultTopology());
  const small = await boot(racksTopology({ racks: 1, hostsPerRack: 2 }));
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const spec = racksTopology({ racks: RACKS, hostsPerRack: PER_RACK });
  const big = await boot(spec);
  const rss1 = process.memoryUsage().rss;
  // r1h1 → rack1 over their wire, as host1 → host2 in the two-host lab; r1h1 → r1h2 through their rack
  // router, in the small lab and the big one; across the core in the big.
  const pingers = {
    twoHosts: await pinger(two.lab, 'host1', '192.168.1.2'),
    bigOneWire: await pinger(big.lab, 'r1h1', '10.1.1.1'),
    smallRack: await pinger(small.lab, 'r1h1', '10.1.2.2'),
    bigRack: await pinger(big.lab, 'r1h1', '10.1.2.2'),
    bigAcrossCore: await pinger(big.lab, 'r1h1', `10.${RACKS}.${PER_RACK}.2`),
  };
  const cost: Record<keyof typeof pingers, number[]> = {
    twoHosts: [],
    bigOneWire: [],
    smallRack: [],
    bigRack: [],
    bigAcrossCore: [],
  };
  // Interleaved, so that drift (GC, CPU frequency) falls on all of them alike.
  for (let i = 0; i < RUNS; i++)
    for (const k of Object.keys(pingers) as Array<keyof typeof pingers>) cost[k].push(await pingers[k]());
  const us = (xs: number[]): number => Math.round(median(xs) / 100) / 10;
  const ratio = (a: number[], b: number[]): number => Math.round((median(a) / median(b)) * 100) / 100;
  process.stdout.write(
    JSON.stringify(
      {
        hosts: spec.hosts.length,
        wires: spec.wires.length,
        bootMs: Math.round(big.ms),
        rssMiB: Math.round(rss1 / 2 ** 20),
        rssGrowthMiB: Math.round((rss1 - rss0) / 2 ** 20),
        pingUs: {
          twoHosts: us(cost.twoHosts),
          bigOneWire: us(cost.bigOneWire),
          smallRack: us(cost.smallRack),
          bigRack: us(cost.bigRack),
          bigAcrossCore: us(cost.bigAcrossCore),
        },
        ratioBigOneWireToTwoHosts: ratio(cost.bigOneWire, cost.twoHosts),
        ratioBigRackToSmallRack: ratio(cost.bigRack, cost.smallRack),
        runs: RUNS,
        pingsPerRun: PINGS,
        node: process.version,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
