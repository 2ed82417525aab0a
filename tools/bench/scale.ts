/**
 * `npm run bench:scale`: a generated data-centre topology (25 racks of 40 hosts behind rack routers and a
 * core router: 1,026 hosts) booted in the embedded lab, against the default two-host lab in the same run.
 * Prints JSON: boot time and memory of the big lab, and what one ping costs (wall time of the process, per
 * ping, median of RUNS batches) between two hosts of one rack in the big lab and between the two hosts of
 * the small one. Nothing is asserted (a benchmark, not a test).
 */
import { Lab, buildHardware } from '@skblab/runtime';
import { defaultTopology, racksTopology, type TopologySpec } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { bootTopology, newShell } from '@skblab/shell';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PINGS = Number(process.env.BENCH_PINGS ?? 200);
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
  const small = await boot(defaultTopology());
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const spec = racksTopology({ racks: RACKS, hostsPerRack: PER_RACK });
  const big = await boot(spec);
  const rss1 = process.memoryUsage().rss;
  const two = await pinger(small.lab, 'host1', '192.168.1.2');
  // r1h1 → r1h2: through their rack router; r1h1 → the last rack's last host: rack, core, rack routers.
  const rack = await pinger(big.lab, 'r1h1', '10.1.2.2');
  const core = await pinger(big.lab, 'r1h1', `10.${RACKS}.${PER_RACK}.2`);
  const cost = { two: [] as number[], rack: [] as number[], core: [] as number[] };
  // Interleaved, so that drift (GC, CPU frequency) falls on all three alike.
  for (let i = 0; i < RUNS; i++) {
    cost.two.push(await two());
    cost.rack.push(await rack());
    cost.core.push(await core());
  }
  const us = (xs: number[]): number => Math.round(median(xs) / 100) / 10;
  process.stdout.write(
    JSON.stringify(
      {
        hosts: spec.hosts.length,
        wires: spec.wires.length,
        bootMs: Math.round(big.ms),
        rssMiB: Math.round(rss1 / 2 ** 20),
        rssGrowthMiB: Math.round((rss1 - rss0) / 2 ** 20),
        pingUsTwoHosts: us(cost.two),
        pingUsSameRack: us(cost.rack),
        pingUsAcrossCore: us(cost.core),
        ratioSameRack: Math.round((median(cost.rack) / median(cost.two)) * 100) / 100,
        ratioAcrossCore: Math.round((median(cost.core) / median(cost.two)) * 100) / 100,
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
