/**
 * net/core/secure_seq.c: what must not be guessable from outside — a TCP connection's initial sequence number
 * and timestamp offset, and where connect() starts looking for an ephemeral port. All are keyed hashes of the
 * addresses and ports under a per-kernel secret (net_secret).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { Host, Net } from '../../include/net/net_namespace';
import { HZ } from '../../include/net/tcp';
import { jiffies } from '../../kernel/time/timer';

/** net_secret: one per kernel (host), made on first use like net_secret_init. */
const netSecrets = new WeakMap<Host, number[]>();

function net_secret(ctx: KernelCtx, net: Net): number[] {
  let s = netSecrets.get(net.host);
  if (!s) {
    s = [ctx.random32() >>> 0, ctx.random32() >>> 0, ctx.random32() >>> 0, ctx.random32() >>> 0];
    netSecrets.set(net.host, s);
  }
  return s;
}

/** A keyed 32-bit mix of words standing in for siphash_Nu32 (only its unpredictability matters). */
export function keyedHash(key: number[], words: number[], lane: number): number {
  let h = key[lane & 3] ^ Math.imul(lane + 1, 0x9e3779b1);
  for (const w of [...words, key[(lane + 1) & 3]]) {
    h = Math.imul(h ^ (w >>> 0), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * secure_tcp_seq_and_ts_off (secure_seq.c:108): a keyed hash of the 4-tuple gives the ISN, advanced by
 * seq_scale's 64 ns clock, and the timestamp offset (0 unless net.ipv4.tcp_timestamps is 1).
 */
export function secure_tcp_seq_and_ts_off(
  ctx: KernelCtx,
  net: Net,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
): { seq: number; tsOff: number } {
  const key = net_secret(ctx, net);
  const ports = ((sport << 16) | dport) >>> 0;
  const seq = (keyedHash(key, [saddr, daddr, ports], 0) + Math.floor(ctx.now() / 64)) >>> 0;
  const tsOff = net.sysctl.tcp.timestamps === 1 ? keyedHash(key, [saddr, daddr, ports], 1) : 0;
  return { seq, tsOff };
}

/** EPHEMERAL_PORT_SHUFFLE_PERIOD: the port hash changes every 10 s, so a destination's ports move on. */
const EPHEMERAL_PORT_SHUFFLE_PERIOD = 10 * HZ;

/**
 * secure_ipv4_port_ephemeral (secure_seq.c:127): a 64-bit keyed hash of (saddr, daddr, dport, jiffies / 10 s)
 * as two 32-bit halves: __inet_hash_connect takes the perturbation table's index from the low one and adds
 * the high one to the offset.
 */
export function secure_ipv4_port_ephemeral(
  ctx: KernelCtx,
  net: Net,
  saddr: number,
  daddr: number,
  dport: number,
): { lo: number; hi: number } {
  const key = net_secret(ctx, net);
  const words = [saddr, daddr, dport, Math.floor(jiffies(ctx) / EPHEMERAL_PORT_SHUFFLE_PERIOD)];
  return { lo: keyedHash(key, words, 2), hi: keyedHash(key, words, 3) };
}
