/**
 * Turns a scenario into the one script both sides run, and the per-command output of a run back into the
 * things the suite compares: /proc/net/snmp deltas per namespace, `ip -s link` deltas per device, the
 * normalised text of chosen commands, and the output and exit status of chosen action lines.
 */
import {
  Counters,
  delta,
  markerLine,
  normaliseText,
  omit,
  parseIpLinkStats,
  parseNetstat,
  parseSnmp,
  pick,
  splitByMarkers,
  tailAfterMarkers,
} from './parse';
import type { Scenario } from './scenarios';

/** The groups of /proc/net/snmp that are compared (all of them: every nonzero delta must match). */
export const SNMP_GROUPS = ['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite'] as const;

/** The groups of /proc/net/netstat that are compared (MPTcpExt: skblab has no MPTCP, nothing moves). */
export const NETSTAT_GROUPS = ['TcpExt', 'IpExt'] as const;

/**
 * TcpExt counters that are not compared, because what they count depends on when the processes ran
 * relative to the segments (the scheduler, wall-clock time), not on what was sent: the same scenario
 * moves them differently from run to run on the real kernel.
 */
export const NETSTAT_TIMING_DEPENDENT = [
  // The delayed-ACK timer fires or not depending on whether the reader answers within the 40 ms ATO.
  'TcpExt.DelayedACKs',
  // The socket is owned by a process in a system call when the segment arrives (sk_add_backlog), or not.
  'TcpExt.DelayedACKLocked',
  'TcpExt.TCPBacklogCoalesce',
  // A FIN (or more data) is appended to the unread tail skb (tcp_try_coalesce) only if the reader has not
  // run since that skb arrived: `echo hello | nc -N` counted it in 1 run of 3 on the real kernel.
  // (skblab queues every skb and never counts it.)
  'TcpExt.TCPRcvCoalesce',
] as const;

/** The `ip -s link` columns that are compared. */
export const LINK_COLUMNS = [
  'RX.bytes',
  'RX.packets',
  'RX.errors',
  'RX.dropped',
  'TX.bytes',
  'TX.packets',
  'TX.errors',
  'TX.dropped',
] as const;

export type Phase = 'setup' | 'before' | 'action' | 'after' | 'text';

export interface Step {
  phase: Phase;
  /** The command as the scenario (and skblab) spells it. */
  cmd: string;
  /**
   * For snapshots: which namespace's snmp (`snmp:ns1`) or netstat (`netstat:ns1`), or which device
   * (`link:ns1:veth1`).
   */
  snapshot?: string;
  /** For action lines: their index in scenario.action. */
  actionIndex?: number;
}

/** What one side produced, in the shape that is compared with toEqual. */
export interface Observed {
  /**
   * Nonzero /proc/net/snmp deltas (after - before the action lines), per namespace ('host', 'ns1', ...);
   * a string says why a snapshot could not be read.
   */
  snmp: Record<string, Counters | string>;
  /** Nonzero /proc/net/netstat TcpExt and IpExt deltas per namespace (scenario.netstat), or why not. */
  netstat: Record<string, Counters | string>;
  /** Nonzero `ip -s link show dev X` deltas, keyed "ns:dev" (e.g. "host:veth0"), or why not. */
  links: Record<string, Counters | string>;
  /** Normalised output of each scenario.texts command, keyed by the command. */
  texts: Record<string, string>;
  /** For the action lines listed in scenario.outputs: exit status and normalised output. */
  outputs: Record<string, { status: string; text: string }>;
}

/** A run of one side: the raw transcript (for failure messages) and per-command outputs. */
export interface SideRun {
  side: 'real' | 'skblab';
  steps: Step[];
  /** Output of step i (stdout and stderr interleaved), or undefined when its marker never appeared. */
  outputs: (string | undefined)[];
  /** `$?` of step i as the shell printed it in the marker. */
  statuses: (string | undefined)[];
  /** Output after the last marker (background jobs, or the error that stopped the run). */
  tail: string;
  raw: string;
  exit: string;
}

/** 'host' (host1's init_net), a namespace of host1 ('ns1'), or another host of the topology ('@host2'). */
export function snmpCommand(ns: string): string {
  if (ns.startsWith('@')) return `on ${ns.slice(1)} cat /proc/net/snmp`;
  return ns === 'host' ? 'cat /proc/net/snmp' : `ip netns exec ${ns} cat /proc/net/snmp`;
}

export function netstatCommand(ns: string): string {
  if (ns.startsWith('@')) return `on ${ns.slice(1)} cat /proc/net/netstat`;
  return ns === 'host' ? 'cat /proc/net/netstat' : `ip netns exec ${ns} cat /proc/net/netstat`;
}

export function linkCommand(ns: string, dev: string): string {
  if (ns.startsWith('@')) return `on ${ns.slice(1)} ip -s link show dev ${dev}`;
  return ns === 'host' ? `ip -s link show dev ${dev}` : `ip -n ${ns} -s link show dev ${dev}`;
}

/** The steps of a scenario, in the order both sides run them. */
export function stepsOf(s: Scenario): Step[] {
  const snaps = (phase: 'before' | 'after'): Step[] => [
    ...s.snmp.map((ns) => ({ phase, cmd: snmpCommand(ns), snapshot: `snmp:${ns}` })),
    ...(s.netstat ?? []).map((ns) => ({ phase, cmd: netstatCommand(ns), snapshot: `netstat:${ns}` })),
    ...s.links.map(({ ns, dev }) => ({ phase, cmd: linkCommand(ns, dev), snapshot: `link:${ns}:${dev}` })),
  ];
  return [
    ...s.setup.map((cmd) => ({ phase: 'setup' as const, cmd })),
    ...snaps('before'),
    ...s.action.map((cmd, actionIndex) => ({ phase: 'action' as const, cmd, actionIndex })),
    ...snaps('after'),
    ...(s.texts ?? []).map((cmd) => ({ phase: 'text' as const, cmd })),
  ];
}

/** The script text: each command followed by a marker line that also prints its exit status. */
export function scriptOf(steps: Step[], rewrite: (cmd: string) => string = (c) => c): string {
  return steps.map((st, i) => `${rewrite(st.cmd)}\n${markerLine(i)} $?\n`).join('');
}

/** Fills a SideRun from the combined output of a script made by scriptOf. */
export function splitRun(side: SideRun['side'], steps: Step[], raw: string, exit: string): SideRun {
  const parts = splitByMarkers(raw, steps.length);
  const outputs: (string | undefined)[] = [];
  const statuses: (string | undefined)[] = [];
  for (const p of parts) {
    outputs.push(p?.text);
    statuses.push(p?.status);
  }
  return { side, steps, outputs, statuses, tail: tailAfterMarkers(raw), raw, exit };
}

/** Thrown when a side's run cannot be read: says which command and shows what was printed. */
export class RunError extends Error {}

function describe(run: SideRun, i: number): string {
  return `${run.side} side, step ${i} (${run.steps[i].phase}) \`${run.steps[i].cmd}\``;
}

/**
 * The compared view of a run. With `strict` (the real side) any missing or unreadable snapshot throws a
 * RunError with the transcript. Otherwise (skblab) such a problem becomes a string in place of that entry,
 * so that the comparison still shows everything else; only a run that printed no marker at all throws.
 */
export function observe(s: Scenario, run: SideRun, strict = false): Observed {
  if (!strict && run.outputs.every((o) => o === undefined)) {
    throw new RunError(
      `${run.side} side printed no output marker at all (exit: ${run.exit}).\nTranscript:\n${transcript(run)}`,
    );
  }
  const snap: Record<string, { before?: Counters | string; after?: Counters | string }> = {};
  const obs: Observed = { snmp: {}, netstat: {}, links: {}, texts: {}, outputs: {} };
  const problem = (i: number, what: string): string => {
    if (strict) throw new RunError(`${describe(run, i)}: ${what}\nTranscript:\n${transcript(run)}`);
    return `${what} (step ${i} \`${run.steps[i].cmd}\`)`;
  };
  run.steps.forEach((st, i) => {
    const out = run.outputs[i];
    const missing = `no output marker: the run stopped before this command (exit: ${run.exit})`;
    if (st.snapshot) {
      let counters: Counters | string;
      if (out === undefined) {
        counters = problem(i, missing);
      } else {
        try {
          counters = st.snapshot.startsWith('snmp:')
            ? parseSnmp(out)
            : st.snapshot.startsWith('netstat:')
              ? parseNetstat(out)
              : parseIpLinkStats(out);
        } catch (e) {
          counters = problem(i, (e as Error).message.split('\n')[0]);
        }
      }
      const slot = (snap[st.snapshot] ??= {});
      slot[st.phase as 'before' | 'after'] = counters;
    } else if (out === undefined) {
      const p = problem(i, missing);
      if (st.phase === 'text') obs.texts[st.cmd] = p;
      if (st.phase === 'action' && s.outputs?.includes(st.actionIndex as number)) {
        obs.outputs[st.cmd] = { status: '?', text: p };
      }
    } else if (st.phase === 'text') {
      obs.texts[st.cmd] = normaliseText(out, st.cmd);
    } else if (st.phase === 'action' && s.outputs?.includes(st.actionIndex as number)) {
      obs.outputs[st.cmd] = { status: run.statuses[i] ?? '?', text: normaliseText(out, st.cmd) };
    }
  });
  for (const [key, { before, after }] of Object.entries(snap)) {
    let d: Counters | string;
    if (typeof before === 'string' || before === undefined) d = `before: ${before}`;
    else if (typeof after === 'string' || after === undefined) d = `after: ${after}`;
    else d = delta(before, after);
    const ignored = (c: Counters): Counters => omit(c, [...NETSTAT_TIMING_DEPENDENT, ...(s.ignore ?? [])]);
    if (key.startsWith('snmp:')) {
      obs.snmp[key.slice(5)] = typeof d === 'string' ? d : ignored(pick(d, [...SNMP_GROUPS]));
    } else if (key.startsWith('netstat:')) {
      obs.netstat[key.slice(8)] = typeof d === 'string' ? d : ignored(pick(d, [...NETSTAT_GROUPS]));
    } else {
      obs.links[key.slice(5)] = typeof d === 'string' ? d : pick(d, [...LINK_COLUMNS]);
    }
  }
  return obs;
}

/** The whole run as `$ cmd` / output pairs, for failure messages and for the show tool. */
export function transcript(run: SideRun): string {
  const lines: string[] = [];
  run.steps.forEach((st, i) => {
    const status = run.statuses[i];
    lines.push(
      `[${st.phase}] $ ${st.cmd}${status !== undefined && status !== '0' ? `   (exit ${status})` : ''}`,
    );
    const out = run.outputs[i];
    if (out === undefined) lines.push('    <no marker: not run or run died>');
    else if (out !== '') lines.push(out.replace(/\n$/, '').replace(/^/gm, '    '));
  });
  if (run.tail.trim() !== '') lines.push('[after the last marker]', run.tail.replace(/^/gm, '    '));
  lines.push(`[exit] ${run.exit}`);
  return lines.join('\n');
}
