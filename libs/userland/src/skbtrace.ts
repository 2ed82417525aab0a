/**
 * skbtrace: the journeys of the latest skbs, one line per kernel function, in columns like pwru's
 * (SKB, CPU, PROCESS, NETNS, IFACE, PROTO, LEN, TUPLE, FUNC), plus where the function lives and what it
 * consulted. A drop shows as kfree_skb_reason(SKB_DROP_REASON_...), as pwru shows it.
 */
import type { SkBuff, TraceStep } from '@skblab/kernel';
import { ETH_P_ARP, ETH_P_IP } from '@skblab/wire/ethernet';
import * as ip from '@skblab/wire/ipv4';
import * as arp from '@skblab/wire/arp';
import { ipv4ToString } from '@skblab/wire/address';
import type { Command } from './command';

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

/** pwru's TUPLE: saddr:sport->daddr:dport(proto) from the skb's headers. */
export function skbTuple(skb: SkBuff): string {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (nh < 0 || nh + 20 > b.length) return '';
  if (skb.protocol === ETH_P_ARP)
    return `${ipv4ToString(arp.senderIp(b, nh))}->${ipv4ToString(arp.targetIp(b, nh))}(arp)`;
  if (b[nh] >> 4 !== 4) return '';
  const p = ip.protocol(b, nh);
  const th = nh + ip.headerLength(b, nh);
  const ports = (p === 6 || p === 17) && ip.fragOffset(b, nh) === 0 && th + 4 <= b.length;
  const sp = ports ? (b[th] << 8) | b[th + 1] : 0;
  const dp = ports ? (b[th + 2] << 8) | b[th + 3] : 0;
  return `${ipv4ToString(ip.src(b, nh))}:${sp}->${ipv4ToString(ip.dst(b, nh))}:${dp}(${PROTO[p] ?? p})`;
}

/**
 * The skb's "address", 16 hex digits like a kernel pointer in the direct map (0xffff888000000000 + id).
 * Ids past 32 bits (distributed mode: each process draws from its own 2^32 range) carry into the upper
 * half instead of widening it.
 */
export function skbAddr(id: number): string {
  const hi = 0xffff8880 + Math.floor(id / 0x1_0000_0000);
  return '0x' + hi.toString(16) + (id % 0x1_0000_0000).toString(16).padStart(8, '0');
}

export interface Row {
  skb: SkBuff;
  step: TraceStep;
}

/** The last `n` journeys, or (n null) up to 64 of those begun after journey number `since`. */
export function selectJourneys(
  all: SkBuff[],
  n: number | null,
  since: number,
  no: (skb: SkBuff) => number,
): SkBuff[] {
  if (n !== null) return all.slice(Math.max(0, all.length - n));
  const fresh = all.filter((s) => no(s) > since);
  return fresh.slice(Math.max(0, fresh.length - 64));
}

/** Per lab: the newest journey already shown, so a bare `skbtrace` shows what happened since. */
const lastShown = new WeakMap<object, number>();

export function formatTrace(rows: Row[]): string {
  const hdr = ['SKB', 'CPU', 'PROCESS', 'NETNS', 'IFACE', 'PROTO', 'LEN', 'TUPLE', 'FUNC'];
  const lines: string[][] = [hdr];
  const infos: string[] = [''];
  for (const { skb, step } of rows) {
    const proto = skb.protocol === ETH_P_IP ? '0x0800' : skb.protocol === ETH_P_ARP ? '0x0806' : '0x0000';
    lines.push([
      skbAddr(skb.id),
      String(step.cpu),
      `[${step.comm}]`,
      String(step.netnsId),
      step.dev || '0',
      proto,
      String(step.len),
      skbTuple(skb),
      step.drop ? `kfree_skb_reason(${step.drop})` : step.fn.name,
    ]);
    infos.push(
      `${step.fn.file}${step.service !== 'embedded' ? ' @' + step.service : ''}${step.info ? ': ' + step.info : ''}`,
    );
  }
  const widths = hdr.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return (
    lines
      .map((l, r) => {
        const cols = l.map((c, i) => c.padEnd(widths[i])).join(' ');
        return r === 0 ? cols + ' WHERE: STATE' : cols + ' ' + infos[r];
      })
      .join('\n') + '\n'
  );
}

export function traceJson(journeys: SkBuff[], rows: Row[]): string {
  const bySkb = new Map<number, TraceStep[]>(journeys.map((s) => [s.id, []]));
  for (const r of rows) bySkb.get(r.skb.id)!.push(r.step);
  return (
    JSON.stringify(
      journeys.map((skb) => ({
        skb: skbAddr(skb.id),
        tuple: skbTuple(skb),
        dropReason: skb.dropReason ? 'SKB_DROP_REASON_' + skb.dropReason : null,
        steps: bySkb.get(skb.id)!.map((s) => ({
          func: s.drop ? 'kfree_skb_reason' : s.fn.name,
          file: s.fn.file,
          layer: s.fn.layer,
          host: s.host,
          netns: s.netns || null,
          netnsInode: s.netnsId,
          cpu: s.cpu,
          iface: s.dev || null,
          process: s.comm,
          len: s.len,
          timeNs: s.t,
          state: s.info || null,
          dropReason: s.drop || null,
          service: s.service,
        })),
      })),
    ) + '\n'
  );
}

export const skbtrace: Command = async (ctx) => {
  let n: number | null = null;
  let json = false;
  const args = ctx.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json' || a === '-j') json = true;
    else if (a === '-n') {
      const v = args[++i];
      if (!v || !/^\d+$/.test(v)) {
        ctx.err(`skbtrace: invalid number of skbs: '${v ?? ''}'\n`);
        return 2;
      }
      n = Number(v);
    } else if (a === '-h' || a === '--help') {
      ctx.out(
        'Usage: skbtrace [-n N] [--json]\n  the journeys of the last N skbs (default: those since the last skbtrace)\n',
      );
      return 0;
    } else {
      ctx.err(`skbtrace: unknown argument '${a}'\nUsage: skbtrace [-n N] [--json]\n`);
      return 2;
    }
  }
  const lab = ctx.lab;
  const since = lastShown.get(lab) ?? 0;
  const no = (s: SkBuff) => s.traced;
  const journeys = selectJourneys(lab.journeys, n, since, no);
  if (journeys.length) lastShown.set(lab, Math.max(since, ...journeys.map(no)));
  const rows = ctx.lab.journeyOf(journeys);
  ctx.out(json ? traceJson(journeys, rows) : formatTrace(rows));
  return 0;
};
