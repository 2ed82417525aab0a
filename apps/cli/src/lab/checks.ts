/**
 * Running a lab's checks: each reads the kernel model's state (the FIB, the MIBs, a device's counters and
 * qdisc, softnet_data, the neighbour table, the TCP hash tables, the learned path MTUs) or the trace ring's
 * journeys, directly, and says why it passed or failed in words a learner can act on.
 */
import {
  NUD_NAMES,
  NUD_VALID,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  TCP_STATE_NAMES,
  dev_get_stats,
  sysctl_read,
  type Host,
  type SkBuff,
  type TraceStep,
} from '@skblab/kernel';
import { ETH_P_ARP } from '@skblab/wire/ethernet';
import * as ip from '@skblab/wire/ipv4';
import * as arp from '@skblab/wire/arp';
import { ipv4ToString } from '@skblab/wire/address';
import { counterKey, linkValues, netOf, snmpValues, type LabSession } from './session';
import { ssName, type CheckBody, type CheckDef, type Where } from './spec';

export interface CheckResult {
  id: number;
  name: string;
  passed: boolean;
  why: string;
}

export function runChecks(s: LabSession): CheckResult[] {
  return s.def.checks.map((c) => {
    const r = evaluate(s, c);
    return { id: c.id, name: c.name, ...r };
  });
}

type Verdict = { passed: boolean; why: string };
const pass = (why: string): Verdict => ({ passed: true, why });
const fail = (why: string): Verdict => ({ passed: false, why });

function evaluate(s: LabSession, c: CheckDef): Verdict {
  const b = c.body;
  if (b.kind === 'journey') return journey(s, b);
  const host = s.lab.hosts.get(b.where.host)!;
  const net = netOf(host, b.where.netns);
  if (!net)
    return fail(
      `${b.where.host} has no network namespace '${b.where.netns}' (ip netns add ${b.where.netns})`,
    );
  const at = place(b.where);
  switch (b.kind) {
    case 'route': {
      const table = b.table === 'local' ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
      const mask = b.to.plen === 0 ? 0 : (0xffffffff << (32 - b.to.plen)) >>> 0;
      const want = (b.to.addr & mask) >>> 0;
      const inTable = net.fib.filter((e) => e.table === table);
      const match = inTable.find(
        (e) =>
          e.plen === b.to.plen &&
          e.dst >>> 0 === want &&
          (b.via === null || e.gw >>> 0 === b.via >>> 0) &&
          (b.dev === null || e.dev?.name === b.dev),
      );
      const what = `${b.to.text}${b.via !== null ? ` via ${ipv4ToString(b.via)}` : ''}${b.dev ? ` dev ${b.dev}` : ''}`;
      if (match) return pass(`${at} has a route to ${describeRoute(match)} (table ${b.table})`);
      const have = inTable.filter((e) => e.plen === b.to.plen && e.dst >>> 0 === want);
      return fail(
        `${at} has no route to ${what} in table ${b.table}` +
          (have.length
            ? ` (it has ${have.map(describeRoute).join('; ')})`
            : ` (its routes: ${inTable.map(describeRoute).join('; ') || 'none'})`),
      );
    }
    case 'counter': {
      const { now, base, label } = counterNow(s, host, b.where, b.counter);
      if (now === null) return fail(`${at} has no ${label}`);
      const moved = now - base;
      const range =
        b.atLeast !== null && b.atMost !== null
          ? `from ${b.atLeast} to ${b.atMost}`
          : b.atLeast !== null
            ? `at least ${b.atLeast}`
            : `at most ${b.atMost}`;
      const ok = (b.atLeast === null || moved >= b.atLeast) && (b.atMost === null || moved <= b.atMost);
      const why = `${label} on ${at} moved by ${moved} (${base} → ${now}) since the lab started; expected ${range}`;
      return ok ? pass(why) : fail(why);
    }
    case 'qdisc': {
      const dev = net.devices.find((d) => d.name === b.dev);
      if (!dev) return fail(`${at} has no device ${b.dev}`);
      const kind = dev.qdisc.ops.id;
      return kind === b.qdisc
        ? pass(`${b.dev}'s root qdisc on ${at} is ${kind}`)
        : fail(`${b.dev}'s root qdisc on ${at} is ${kind}, not ${b.qdisc}`);
    }
    case 'sysctl': {
      let v: string;
      try {
        v = String(sysctl_read(host, net, b.name)).trim();
      } catch {
        return fail(`${at} has no sysctl ${b.name}`);
      }
      const same = v.split(/\s+/).join(' ') === b.value.split(/\s+/).join(' ');
      return same
        ? pass(`${b.name} = ${v} on ${at}`)
        : fail(`${b.name} = ${v} on ${at}, expected ${b.value}`);
    }
    case 'neigh': {
      const entries = [...net.arpTbl.values()].filter(
        (n) => n.key >>> 0 === b.dst >>> 0 && (b.dev === null || n.dev.name === b.dev),
      );
      const who = `${ipv4ToString(b.dst)}${b.dev ? ` dev ${b.dev}` : ''}`;
      if (!entries.length)
        return fail(`${at}'s neighbour table has no entry for ${who} (ip neigh shows none)`);
      const ok = entries.find((n) =>
        b.state === 'valid' ? (n.nudState & NUD_VALID) !== 0 : NUD_NAMES[n.nudState] === b.state,
      );
      const states = entries.map((n) => `${n.dev.name} ${NUD_NAMES[n.nudState] ?? n.nudState}`).join(', ');
      return ok
        ? pass(`${at} knows ${who}'s link-layer address (${states})`)
        : fail(
            `${at}'s entry for ${who} is ${states}, expected ${b.state === 'valid' ? 'one with a link-layer address' : b.state}`,
          );
    }
    case 'tcp': {
      const want = TCP_STATE_NAMES.findIndex((n) => n && ssName(n) === b.state);
      const socks: Array<{ state: number; lport: number; rport: number; laddr: number; raddr: number }> = [];
      for (const sk of net.tcpSockets)
        if (!sk.closed)
          socks.push({
            state: sk.state,
            lport: sk.num,
            rport: sk.dport,
            laddr: sk.rcvSaddr,
            raddr: sk.daddr,
          });
      for (const e of net.tcpEhash.values())
        if (e.kind === 'timewait')
          socks.push({ state: e.substate, lport: e.num, rport: e.dport, laddr: e.rcvSaddr, raddr: e.daddr });
      const portOk = (x: (typeof socks)[number]) =>
        b.port === null || x.lport === b.port || x.rport === b.port;
      const hit = socks.find((x) => x.state === want && portOk(x));
      const desc = (x: (typeof socks)[number]) =>
        `${ipv4ToString(x.laddr)}:${x.lport} → ${ipv4ToString(x.raddr)}:${x.rport} ${ssName(TCP_STATE_NAMES[x.state] ?? String(x.state))}`;
      const port = b.port !== null ? ` on port ${b.port}` : '';
      if (hit) return pass(`${at} has a TCP connection${port} in ${b.state}: ${desc(hit)}`);
      const others = socks.filter(portOk);
      return fail(
        `${at} has no TCP connection${port} in ${b.state}` +
          (others.length ? ` (it has ${others.map(desc).join('; ')})` : ' (no TCP sockets there)'),
      );
    }
    case 'pmtu': {
      const e = net.fnhe.get(b.dst) ?? net.fnhe.get(b.dst >>> 0) ?? net.fnhe.get(b.dst | 0);
      const to = ipv4ToString(b.dst);
      if (!e || !e.mtu)
        return fail(`${at} has learned no path MTU for ${to} (ip route get ${to} shows no mtu)`);
      if (e.expires && e.expires <= s.lab.now())
        return fail(`${at}'s path MTU for ${to} (${e.mtu}) has expired`);
      return e.mtu === b.mtu
        ? pass(`${at} learned path MTU ${e.mtu} for ${to}`)
        : fail(`${at} learned path MTU ${e.mtu} for ${to}, expected ${b.mtu}`);
    }
  }
}

function place(w: Where): string {
  return w.netns ? `${w.host} (netns ${w.netns})` : w.host;
}

function describeRoute(e: { dst: number; plen: number; gw: number; dev: { name: string } | null }): string {
  const dst = e.plen === 0 ? 'default' : `${ipv4ToString(e.dst)}/${e.plen}`;
  return `${dst}${e.gw ? ` via ${ipv4ToString(e.gw)}` : ''}${e.dev ? ` dev ${e.dev.name}` : ''}`;
}

/** A counter's value now and right after boot (0 for what did not exist then: a later veth or netns). */
function counterNow(
  s: LabSession,
  host: Host,
  w: Where,
  c: Extract<CheckBody, { kind: 'counter' }>['counter'],
): { now: number | null; base: number; label: string } {
  const net = netOf(host, w.netns)!;
  const base = (what: string) => s.baseline.get(counterKey(host.name, w.netns, what)) ?? 0;
  switch (c.kind) {
    case 'snmp':
      return { now: snmpValues(net).get(c.name) ?? null, base: base(`snmp:${c.name}`), label: c.name };
    case 'softnet': {
      const sd = host.softnet[c.cpu];
      const v = {
        processed: sd.processed,
        dropped: sd.dropped,
        time_squeeze: sd.timeSqueeze,
        received_rps: sd.receivedRps,
        flow_limit_count: sd.flowLimitCount,
      }[c.stat];
      const b = s.baseline.get(counterKey(host.name, '', `softnet:${c.cpu}:${c.stat}`)) ?? 0;
      return { now: v, base: b, label: `softnet_stat ${c.stat} of CPU ${c.cpu}` };
    }
    case 'link': {
      const dev = net.devices.find((d) => d.name === c.dev);
      const label = `${c.dev} ${c.stat}`;
      if (!dev) return { now: null, base: 0, label: `device ${c.dev}` };
      return { now: linkValues(dev_get_stats(dev))[c.stat], base: base(`link:${c.dev}:${c.stat}`), label };
    }
    case 'qdisc': {
      const dev = net.devices.find((d) => d.name === c.dev);
      if (!dev) return { now: null, base: 0, label: `device ${c.dev}` };
      // A qdisc made after boot (tc qdisc add/replace) starts from zero, as tc -s shows it.
      const q = dev.qdisc;
      const sameQdisc = s.baseline.get(counterKey(host.name, w.netns, `qdisc-id:${c.dev}`)) === q.id;
      const stats =
        q.ops.id === 'mq' ? q.children.reduce((n, ch) => n + ch.stats[c.stat], 0) : q.stats[c.stat];
      return {
        now: stats,
        base: sameQdisc ? base(`qdisc:${c.dev}:${c.stat}`) : 0,
        label: `${c.dev}'s qdisc (${q.ops.id}) ${c.stat}`,
      };
    }
  }
}

/** An skb's IPv4 destination (or an ARP packet's target), from its headers. */
function skbDst(skb: SkBuff): number | null {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (nh < 0 || nh + 20 > b.length) return null;
  if (skb.protocol === ETH_P_ARP) return arp.targetIp(b, nh) >>> 0;
  if (b[nh] >> 4 !== 4) return null;
  return ip.dst(b, nh) >>> 0;
}

function journey(s: LabSession, b: Extract<CheckBody, { kind: 'journey' }>): Verdict {
  const dst = b.dst === null ? null : b.dst >>> 0;
  const begunBy = (j: { steps: TraceStep[] }, comm: string) => j.steps[0].comm === comm;
  const toDst = (j: { skb: SkBuff }) => dst === null || skbDst(j.skb) === dst;
  let journeys: Array<{ skb: SkBuff; steps: TraceStep[] }> = [];
  let subject: string;
  const toWhom = dst !== null ? ` to ${ipv4ToString(dst)}` : '';
  if (b.last !== null) {
    // The newest line that set going an skb of this command (to dst): all that line set going.
    let found = null as null | { line: string; no: number };
    for (let i = s.lines.length - 1; i >= 0 && !found; i--) {
      const l = s.lines[i];
      const js = s.journeys(l.from, l.to);
      if (js.some((j) => begunBy(j, b.last!) && toDst(j))) {
        found = l;
        journeys = js;
      }
    }
    if (!found) return fail(`no ${b.last}${toWhom} has run in the lab yet (or the trace no longer holds it)`);
    subject = `the last ${b.last}${toWhom} (line ${found.no}: ${found.line.trim()})`;
  } else {
    journeys = s.allJourneys().filter((j) => (b.comm === null || begunBy(j, b.comm)) && toDst(j));
    subject =
      b.comm !== null
        ? `the journeys${toWhom} that ${b.comm} began`
        : `the journeys since the lab started${toWhom}`;
    if (!journeys.length) return fail(`${subject}: none yet`);
  }
  const steps = journeys
    .flatMap((j) => j.steps)
    .filter((st) => (b.host === null || st.host === b.host) && (b.netns === null || st.netns === b.netns));
  const on = b.host !== null ? ` on ${b.host}${b.netns ? ` (netns ${b.netns})` : ''}` : '';
  const fns = new Set(steps.map((st) => st.fn.name));
  const missing = b.through.filter((f) => !fns.has(f));
  const hit = b.avoids.filter((f) => fns.has(f));
  const problems: string[] = [];
  if (missing.length) problems.push(`did not go through ${missing.join(', ')}${on}`);
  if (hit.length) problems.push(`went through ${hit.join(', ')}${on}, which it should avoid`);
  let dropSeen = '';
  if (b.drop !== null) {
    const d = steps.find((st) => st.drop === `SKB_DROP_REASON_${b.drop}`);
    if (!d) {
      const drops = [...new Set(steps.map((st) => st.drop).filter(Boolean))];
      problems.push(
        `had no skb dropped with ${b.drop}${on}${drops.length ? ` (drops seen: ${drops.join(', ')})` : ''}`,
      );
    } else dropSeen = `had an skb dropped with ${b.drop} in ${d.fn.name} on ${d.host}`;
  }
  const n = `${journeys.length} skb${journeys.length === 1 ? '' : 's'}, ${steps.length} steps${on ? ' there' : ''}`;
  if (problems.length) return fail(`${subject} ${problems.join('; ')} (${n})`);
  const parts = [
    b.through.length ? `went through ${b.through.join(', ')}${on}` : '',
    b.avoids.length ? `never through ${b.avoids.join(', ')}` : '',
  ].filter(Boolean);
  if (dropSeen) parts.push(dropSeen);
  return pass(`${subject} ${parts.join(' and ')} (${n})`);
}
