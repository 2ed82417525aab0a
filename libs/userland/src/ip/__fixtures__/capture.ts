/**
 * Records what the real `ip` (iproute2 6.x on Linux) prints for every scenario line, into real-ip.json,
 * which real-ip.spec.ts replays against skblab. Needs root, iproute2, util-linux (unshare, nsenter).
 *
 *   sudo npx tsx libs/userland/src/ip/__fixtures__/capture.ts
 *
 * Everything runs in a private mount namespace with its own tmpfs on /run/netns, so the namespaces made
 * here (all named skbip*) are invisible to the rest of the machine, `ip netns list` sees only them, in
 * tmpfs order (newest first, as on a stock box), and they vanish with the holder process at the end.
 * The lab's host1 is the namespace skbiph1: output naming it is rewritten to what an unnamed initial
 * namespace shows (its `ip netns list` line dropped, `link-netns skbiph1` shown as `link-netnsid N`).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCENARIOS, maskMacs, type IpScenario } from './scenarios';

export interface Step {
  cmd: string;
  out: string;
  err: string;
  status: number;
}

const PREFIX = 'skbip';
const H1 = `${PREFIX}h1`;
const NO_V6 = 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1';

function startHolder(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs ${PREFIX} /run/netns && echo ready && exec sleep 100000`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    p.stdout.once('data', () => resolve(p.pid!));
    p.once('exit', (c) => reject(new Error(`holder exited with ${c}`)));
  });
}

function sh(holder: number, cmd: string, inH1 = true): Step {
  const args = ['-t', String(holder), '-m', '--'];
  if (inH1) args.push('nsenter', `--net=/run/netns/${H1}`, '--');
  args.push('sh', '-c', cmd);
  const r = spawnSync('nsenter', args, { encoding: 'utf8' });
  return { cmd, out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}

function rewriteCmd(line: string, names: string[]): string {
  let s = line;
  for (const n of names) s = s.replace(new RegExp(`(?<![\\w/])${n}(?![\\w/])`, 'g'), PREFIX + n);
  return s;
}

/** The namespace whose view a command prints: the last `-n NS` or `netns exec NS`, else host1. */
function viewer(cmd: string): string {
  const m = [...cmd.matchAll(/(?:-n|-netns|netns exec)\s+(\S+)/g)];
  return m.length ? m[m.length - 1][1] : H1;
}

function h1Id(holder: number, view: string): number {
  const r = sh(holder, `ip -n ${view} -j netns list`);
  const row = (JSON.parse(r.out || '[]') as Array<{ name: string; id?: number }>).find((x) => x.name === H1);
  if (row?.id === undefined) throw new Error(`${H1} has no id in ${view}`);
  return row.id;
}

function normalise(holder: number, step: Step): Step {
  let { out } = step;
  if (/\bnetns\b/.test(step.cmd) && /\b(list|show)\b|netns$/.test(step.cmd) && !/list-id/.test(step.cmd)) {
    if (/^\[/.test(out))
      out = JSON.stringify((JSON.parse(out) as Array<{ name: string }>).filter((x) => x.name !== H1)) + '\n';
    else out = out.replace(new RegExp(`^${H1}( \\(id: \\d+\\))?\\n`, 'm'), '');
  }
  if (out.includes(`link-netns ${H1}`))
    out = out.split(`link-netns ${H1}`).join(`link-netnsid ${h1Id(holder, viewer(step.cmd))}`);
  const strip = (s: string) => maskMacs(s.split(PREFIX).join(''));
  return { cmd: step.cmd, out: strip(out), err: strip(step.err), status: step.status };
}

function runScenario(holder: number, sc: IpScenario): Step[] {
  sh(holder, `ip netns add ${H1}`, false);
  sh(holder, `${NO_V6} && ip link set lo up`);
  const steps: Step[] = [];
  for (const line of sc.lines) {
    if (line.startsWith('!')) {
      sh(holder, line.slice(1));
      continue;
    }
    const cmd = rewriteCmd(line, sc.namespaces);
    const raw = sh(holder, cmd);
    const added = /^ip netns add (\S+)$/.exec(cmd);
    if (added && raw.status === 0) sh(holder, `ip netns exec ${added[1]} ${NO_V6}`);
    steps.push({ ...normalise(holder, raw), cmd: line });
  }
  for (const ns of sh(holder, 'ls /run/netns', false).out.split('\n'))
    if (ns) sh(holder, `ip netns del ${ns}`, false);
  return steps;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('capture.ts needs root (ip netns add)');
  const version = spawnSync('ip', ['-V'], { encoding: 'utf8' }).stdout.trim();
  const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  const holder = await startHolder();
  const out: Record<string, Step[]> = {};
  try {
    for (const sc of SCENARIOS) out[sc.name] = runScenario(holder, sc);
  } finally {
    process.kill(holder);
  }
  const file = path.join(__dirname, 'real-ip.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ captured: { ip: version, kernel }, scenarios: out }, null, 2) + '\n',
  );
  console.log(`wrote ${file}: ${Object.keys(out).length} scenarios on ${version}, Linux ${kernel}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
