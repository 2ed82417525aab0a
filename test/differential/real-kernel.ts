/**
 * The real side: runs a scenario's script against this machine's kernel, in network namespaces made for it.
 *
 * "host1" is a fresh namespace (`skbd<pid>h1`) with lo up and IPv6 off. The whole script runs in ONE `sh`
 * whose network namespace is host1's, entered with `nsenter --net` (not `ip netns exec`: that also gives the
 * shell a private mount namespace, so an `ip netns add ns1` inside it would leave a dead /run/netns/ns1
 * behind when the shell exits). The namespaces a scenario creates (`ip netns add ns1`) are global on a real
 * box, so their names are rewritten to `skbd<pid>ns1` in the script and back to `ns1` in the output.
 * Every run is bounded by `timeout`, which kills the shell's whole process group (background jobs too), and
 * every namespace with this run's prefix is deleted afterwards.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Scenario } from './scenarios';
import { isTopologyError, loadTopologyFile, type TopologySpec } from '@skblab/topology';
import { scriptOf, SideRun, splitRun, stepsOf } from './script';

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' };

/** The tools the real side needs, with the Debian package that brings each. */
const TOOLS: Record<string, string> = {
  ip: 'iproute2',
  ping: 'iputils-ping',
  nc: 'netcat-openbsd',
  nsenter: 'util-linux',
  timeout: 'coreutils',
  sysctl: 'procps',
  sh: 'dash',
  ss: 'iproute2',
  iperf: 'iperf',
  tc: 'iproute2',
  curl: 'curl',
  busybox: 'busybox',
};

function sh(cmd: string, timeoutSec = 10): { status: number | null; out: string } {
  const r = spawnSync('timeout', ['-k', '2', String(timeoutSec), 'sh', '-c', cmd], {
    env: ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: (timeoutSec + 5) * 1000,
  });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/**
 * Whether this machine can run the real side. Synchronous, so the spec can pick `test` or `test.skip` when
 * it defines its tests. Returns undefined when all is well, else what is missing.
 */
export function probeRealKernel(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'not root: creating network namespaces (ip netns add) needs CAP_SYS_ADMIN';
  }
  const missing = Object.entries(TOOLS)
    .filter(([tool]) => sh(`command -v ${tool}`).status !== 0)
    .map(([tool, pkg]) => `${tool} (${pkg})`);
  if (missing.length > 0) return `missing tools: ${missing.join(', ')} (bash tools/ensure-os-packages.sh)`;
  const probe = `skbd${process.pid}probe`;
  const r = sh(
    `ip netns add ${probe} && ip -n ${probe} link add skbdp0 type veth peer name skbdp1 && ` +
      `ip -n ${probe} link set lo up && nsenter --net=/run/netns/${probe} ping -c 1 -W 1 127.0.0.1`,
  );
  sh(`ip netns del ${probe}`);
  if (r.status !== 0) return `cannot make and use a network namespace with a veth pair here:\n${r.out}`;
  return undefined;
}

/**
 * Which of the kernel features scenarios may need (Scenario.needs) this kernel lacks, each with why.
 * netem: `tc qdisc add ... netem` in a scratch namespace (this machine's 6.18 has no sch_netem module).
 */
export function probeKernelFeatures(): Map<string, string> {
  const lacking = new Map<string, string>();
  const probe = `skbd${process.pid}feat`;
  const r = sh(
    `ip netns add ${probe} && ip -n ${probe} link set lo up && ` +
      `tc -n ${probe} qdisc add dev lo root netem delay 1ms`,
  );
  sh(`ip netns del ${probe}`);
  if (r.status !== 0) lacking.set('netem', `tc qdisc ... netem fails here: ${r.out.trim()}`);
  return lacking;
}

/** Names of the namespaces a scenario creates with `ip netns add NAME`. */
export function createdNamespaces(s: Scenario): string[] {
  const names = new Set<string>();
  for (const line of [...s.setup, ...s.action]) {
    for (const m of line.matchAll(/\bip\s+netns\s+add\s+([\w.-]+)/g)) names.add(m[1]);
  }
  return [...names];
}

function tokenRegex(name: string): RegExp {
  return new RegExp(`(?<![\\w.-])${name.replace(/[.]/g, '\\.')}(?![\\w.-])`, 'g');
}

export class RealKernel {
  /** Every namespace this process makes starts with this. */
  readonly prefix: string;
  readonly hostNs: string;

  constructor(prefix = `skbd${process.pid}`) {
    this.prefix = prefix;
    this.hostNs = `${prefix}h1`;
  }

  /** Runs the scenario in fresh namespaces, then deletes them. */
  run(s: Scenario): SideRun {
    const steps = stepsOf(s);
    const topo = s.topology ? topologyOf(s.topology) : null;
    // Hosts other than host1 are namespaces too; `on HOST CMD` runs CMD in HOST's.
    const others = topo ? topo.hosts.map((h) => h.name).filter((n) => n !== 'host1') : [];
    const names = [...createdNamespaces(s), ...others];
    const onHost = (cmd: string): string => {
      const m = /^on\s+(\S+)\s+(.*)$/.exec(cmd);
      return m ? `ip netns exec ${m[1]} sh -c '${m[2].replace(/'/g, `'\\''`)}'` : cmd;
    };
    // A background job's pid is kept (`$(jobs -p)` is empty in dash's subshell) to end it at the end.
    const toReal = (cmd: string): string =>
      names.reduce((c, n) => c.replace(tokenRegex(n), `${this.prefix}${n}`), onHost(cmd)) +
      (/&\s*$/.test(cmd) ? '\nSKBD_BG="$SKBD_BG $!"' : '');
    const fromReal = (text: string): string =>
      names
        .reduce((t, n) => t.replace(tokenRegex(`${this.prefix}${n}`), n), text)
        .replace(tokenRegex(this.hostNs), 'host1');

    // Background jobs (`nc -u -l 5000 &`) are ended when the script is done; `timeout` bounds the rest.
    const script = `${scriptOf(steps, toReal)}if [ -n "$SKBD_BG" ]; then kill $SKBD_BG 2>/dev/null; fi\nwait\n`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skbd-real-'));
    const scriptFile = path.join(dir, 'script.sh');
    const outFile = path.join(dir, 'out.txt');
    fs.writeFileSync(scriptFile, script);
    const limit = s.timeoutSec ?? 30;
    try {
      this.cleanup();
      this.makeHost();
      if (topo) this.makeTopology(topo);
      const fd = fs.openSync(outFile, 'w');
      let exit: string;
      try {
        const r = spawnSync(
          'timeout',
          ['-k', '2', String(limit), 'nsenter', `--net=/run/netns/${this.hostNs}`, 'sh', scriptFile],
          { env: ENV, stdio: ['ignore', fd, fd], timeout: (limit + 10) * 1000 },
        );
        exit =
          r.status === 124
            ? `timed out after ${limit} s`
            : r.error
              ? String(r.error)
              : `status ${r.status}${r.signal ? ` signal ${r.signal}` : ''}`;
      } finally {
        fs.closeSync(fd);
      }
      return splitRun('real', steps, fromReal(fs.readFileSync(outFile, 'utf8')), exit);
    } finally {
      this.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** host1: a fresh namespace, IPv6 off (skblab models IPv4 only) before any link goes up, lo up. */
  private makeHost(): void {
    const h = this.hostNs;
    const r = sh(
      `ip netns add ${h} && ` +
        `ip netns exec ${h} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 && ` +
        `ip -n ${h} link set lo up`,
    );
    if (r.status !== 0) throw new Error(`real side: could not make namespace ${h}:\n${r.out}`);
  }

  /**
   * A topology's other hosts as namespaces (IPv6 off, lo up), each wire a veth pair between two of them
   * with netem on both ends where the wire has impairments, then what each host configures at boot, in the
   * order skblab's boot runs it (libs/runtime/src/hardware.ts: bootLines).
   */
  private makeTopology(t: TopologySpec): void {
    const ns = (h: string): string => (h === 'host1' ? this.hostNs : `${this.prefix}${h}`);
    const lines: string[] = [];
    for (const h of t.hosts) {
      if (h.name === 'host1') continue;
      lines.push(
        `ip netns add ${ns(h.name)}`,
        `ip netns exec ${ns(h.name)} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`,
        `ip -n ${ns(h.name)} link set lo up`,
      );
    }
    for (const w of t.wires) {
      lines.push(
        `ip link add ${w.a.nic} netns ${ns(w.a.host)} type veth peer name ${w.b.nic} netns ${ns(w.b.host)}`,
      );
      const netem = [
        w.delay || w.jitter ? `delay ${w.delay / 1000}us${w.jitter ? ` ${w.jitter / 1000}us` : ''}` : '',
        w.loss ? `loss ${w.loss}%` : '',
        w.duplicate ? `duplicate ${w.duplicate}%` : '',
        w.corrupt ? `corrupt ${w.corrupt}%` : '',
        w.reorder ? `reorder ${w.reorder}%` : '',
        w.rate !== 1e9 ? `rate ${w.rate}bit` : '',
      ].filter(Boolean);
      for (const e of [w.a, w.b])
        if (netem.length)
          lines.push(`tc -n ${ns(e.host)} qdisc add dev ${e.nic} root netem ${netem.join(' ')}`);
      if (!w.up) throw new Error('real side: a wire that is down is not modelled with veth');
    }
    for (const h of t.hosts) {
      const n = ns(h.name);
      for (const nic of h.nics) {
        if (nic.mtu !== 1500) lines.push(`ip -n ${n} link set ${nic.name} mtu ${nic.mtu}`);
        for (const a of nic.addresses) lines.push(`ip -n ${n} addr add ${a.cidr} dev ${nic.name}`);
        lines.push(`ip -n ${n} link set ${nic.name} up`);
      }
      for (const c of h.sysctls) lines.push(`ip netns exec ${n} sysctl -q -w ${c.name}=${c.value}`);
      for (const r of h.routes) lines.push(`ip -n ${n} route add ${r.route}`);
      for (const e of h.exec) lines.push(`ip netns exec ${n} sh -c '${e.line.replace(/'/g, `'\\''`)}'`);
    }
    const r = sh(lines.join(' && '), 20);
    if (r.status !== 0) throw new Error(`real side: could not build topology ${t.file}:\n${r.out}`);
  }

  /** Deletes every namespace whose name starts with this run's prefix (bounded; never throws). */
  cleanup(): void {
    deleteNamespaces((n) => n.startsWith(this.prefix));
  }
}

/** A scenario's topology file, parsed (repo-relative path). */
function topologyOf(file: string): TopologySpec {
  const t = loadTopologyFile(path.join(__dirname, '..', '..', file));
  if (isTopologyError(t)) throw new Error(`real side: ${t.error}`);
  return t;
}

/**
 * Deletes namespaces left by earlier runs of this suite that died without cleaning up: `skbd<pid>...` (and
 * `skbdk<pid>...` of kernel-as-skblab.sh) whose process no longer exists.
 */
export function deleteStaleNamespaces(): void {
  deleteNamespaces((n) => {
    const m = /^skbdk?(\d+)/.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !fs.existsSync(`/proc/${m[1]}`);
  });
}

function deleteNamespaces(match: (name: string) => boolean): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync('/run/netns').filter(match);
  } catch {
    return;
  }
  for (const n of names) {
    // Processes still inside (a background job that outlived its kill) would keep it alive: end them.
    sh(`ip netns pids ${n} | xargs -r kill -9; ip netns del ${n}`);
  }
}
