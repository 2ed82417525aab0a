/**
 * `skblab run [-f TOPOLOGY] [--node NODE] SCRIPT [ARGS...]`: a script, unchanged, run by the system's own
 * bash against a lab that lives as long as the script. The lab's tools come first on the script's PATH:
 * each is bin/skblab-shim under the tool's name, which asks this process's lab (server.ts) to run its argv
 * on NODE, so `ip netns exec`, `ip -n`, `sysctl`, `ping` and `tc` act on the lab, with the tools' own output
 * and exit statuses; everything else in the script (variables, functions, loops, the system's own
 * programs) is bash's. cat and grep are the lab's for /proc and /sys paths only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Lab, LabStalledError, buildHardware } from '@skblab/runtime';
import { defaultTopology, isTopologyError, loadTopologyFile } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { bootTopology, type ShellOptions } from '@skblab/shell';
import type { CommandTable } from '@skblab/userland/command';
import { repoRoot } from '../distributed';
import { startRunServer } from './server';

export const RUN_USAGE = `Usage: skblab run [-f TOPOLOGY | --lab ID] [--node NODE] SCRIPT [ARGS...]

  Run SCRIPT with bash against a lab that lives as long as the script: the lab's
  ip, ping, sysctl, tc, ss, nc, iperf, traceroute, tcpdump, ethtool, nstat and
  skbtrace come first on its PATH and run on NODE (default: the first host);
  cat and grep read the lab's /proc and /sys. The exit status is the script's.
  --lab ID runs it against a running distributed lab (skblab up) instead of a
  lab of its own. Each tool runs to its end before the next starts: a server
  the script puts in the background (nc -l &) is not served yet. Simulated time
  runs as fast as the tools need: ping -c 100 takes no wall time.
`;

/** The lab's tools a script gets (the lab's commands that a real system has as programs too). */
export const TOOLS = [
  'ip',
  'ping',
  'sysctl',
  'tc',
  'ss',
  'nc',
  'iperf',
  'traceroute',
  'tcpdump',
  'ethtool',
  'nstat',
  'skbtrace',
  'cat',
  'grep',
];

export async function runMain(argv: string[]): Promise<number> {
  let topo: string | null = null;
  let node: string | null = null;
  let labId: string | null = null;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-f' || a === '--file') {
      topo = argv[++i] ?? null;
      if (!topo) return usage('option -f needs a topology file');
    } else if (a === '--lab') {
      labId = argv[++i] ?? null;
      if (!labId) return usage('option --lab needs a lab id');
    } else if (a === '--node') {
      node = argv[++i] ?? null;
      if (!node) return usage('option --node needs a node name');
    } else if (a === '-h' || a === '--help') {
      process.stdout.write(RUN_USAGE);
      return 0;
    } else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('-')) return usage(`unknown option '${a}'`);
    else break;
  }
  const [script, ...args] = argv.slice(i);
  if (!script) return usage('a SCRIPT is needed');
  if (!fs.existsSync(script)) {
    process.stderr.write(`skblab run: ${script}: No such file or directory\n`);
    return 127;
  }
  if (topo && labId) return usage('-f makes a lab of its own; --lab joins a running one: not both');
  const commands = defaultCommands();
  const opened = labId ? await joinLab(labId) : await ownLab(topo, commands);
  if (typeof opened === 'number') return opened;
  try {
    return await runAgainst(opened.lab, node, commands, script, args, opened.aroundLine);
  } catch (e) {
    // A distributed lab that does not settle: its message says which service and what to do.
    if (!(e instanceof LabStalledError)) throw e;
    process.stderr.write(`skblab run: ${e.message}\n`);
    return 1;
  } finally {
    await opened.close();
  }
}

export interface OpenedLab {
  lab: Lab;
  aroundLine?: (host: string) => ShellOptions['aroundLine'];
  close(): Promise<void>;
}

/** A lab of the script's own, booted from TOPOLOGY (or the default two hosts). */
async function ownLab(topo: string | null, commands: CommandTable): Promise<OpenedLab | number> {
  const spec = topo ? loadTopologyFile(topo) : defaultTopology();
  if (isTopologyError(spec)) {
    process.stderr.write(spec.error + '\n');
    return 1;
  }
  const lab = new Lab();
  buildHardware(lab, spec);
  const err = await bootTopology(lab, spec, commands);
  if (err) {
    process.stderr.write(err + '\n');
    return 1;
  }
  return { lab, close: async () => undefined };
}

/**
 * A running distributed lab (skblab up), joined as `skblab exec` joins it; `who` begins the errors it
 * prints (`skblab run`, `skblab web`). A number is the exit status after such an error.
 */
export async function joinLab(labId: string, who = 'skblab run'): Promise<OpenedLab | number> {
  const d = await import('../distributed');
  const bad = d.checkLabId(labId);
  if (bad) {
    process.stderr.write(bad + '\n');
    return 2;
  }
  let brokers;
  try {
    brokers = d.brokersFromEnv();
  } catch (e) {
    process.stderr.write(`${who}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  try {
    await d.checkBrokers(brokers);
    const o = await d.openDistributedLab({
      labId,
      spawn: false,
      hosts: [],
      brokers,
      announce: () => undefined,
      onStall: (l) => void process.stderr.write(`${who}: ${l}\n`),
    });
    return { lab: o.lab, aroundLine: o.aroundLine, close: o.close };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      /no topology/.test(why)
        ? `${who}: no lab '${labId}' (start one with 'skblab up --lab ${labId}')\n`
        : d.redactSecret(`${who}: distributed mode: ${why}\n`, brokers.redisUrl),
    );
    return 1;
  }
}

async function runAgainst(
  lab: Lab,
  node: string | null,
  commands: CommandTable,
  script: string,
  args: string[],
  aroundLine?: (host: string) => ShellOptions['aroundLine'],
): Promise<number> {
  const name = node ?? [...lab.hosts.keys()][0];
  const host = lab.hosts.get(name);
  if (!host) {
    process.stderr.write(
      `skblab run: no node named '${name}' (nodes: ${[...lab.hosts.keys()].join(', ')})\n`,
    );
    return 1;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-run-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const shim = path.join(repoRoot(), 'bin', 'skblab-shim');
    for (const t of TOOLS) fs.symlinkSync(shim, path.join(bin, t));
    const socketPath = path.join(dir, 'lab.sock');
    const server = await startRunServer(lab, host, commands, socketPath, aroundLine?.(name));
    try {
      return await new Promise<number>((resolve) => {
        const child = spawn('bash', [script, ...args], {
          stdio: 'inherit',
          env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, SKBLAB_RUN_SOCKET: socketPath },
        });
        const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
        const onInt = forward('SIGINT');
        const onTerm = forward('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
        child.on('error', (e) => {
          process.stderr.write(`skblab run: bash: ${e.message}\n`);
          resolve(127);
        });
        child.on('exit', (code, signal) => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          resolve(code ?? 128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0));
        });
      });
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function usage(why: string): number {
  process.stderr.write(`skblab run: ${why}\n\n${RUN_USAGE}`);
  return 2;
}
