/**
 * kernel/time/timer.c: timers armed in jiffies on the timer wheel. A timer is put in a bucket of its level
 * (granularity 1, 8, 64 ... jiffies by how far away it is) and fires when that bucket is reached, never
 * early: calc_index rounds the expiry up to the level's next boundary, so a level-0 timer fires one jiffy
 * after its expiry and a 1 s timer (HZ 250: level 1) up to 8 jiffies (32 ms) late. TCP's timers, whose
 * effects packetdrill and `ss -o` show, go through here; the rest of the model arms timers in ns directly.
 */
import type { KernelCtx, KTimer } from '../../include/net/kctx';
import { TICK_NS, UPTIME_AT_START_NS, ktime_get_ns } from '../../include/net/tcp';

const LVL_CLK_SHIFT = 3;
const LVL_BITS = 6;
const LVL_SIZE = 1 << LVL_BITS;
/** HZ > 100: nine levels */
const LVL_DEPTH = 9;

function LVL_SHIFT(n: number): number {
  return n * LVL_CLK_SHIFT;
}
function LVL_START(n: number): number {
  return (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT);
}
const WHEEL_TIMEOUT_CUTOFF = LVL_START(LVL_DEPTH);
const WHEEL_TIMEOUT_MAX = WHEEL_TIMEOUT_CUTOFF - (1 << LVL_SHIFT(LVL_DEPTH - 1));

/** jiffies now */
export function jiffies(ctx: KernelCtx): number {
  return Math.floor(ktime_get_ns(ctx) / TICK_NS);
}

/** calc_wheel_index's bucket_expiry: the jiffy at which a timer due at `expires` fires. */
export function timer_bucket_expiry(expires: number, clk: number): number {
  let delta = expires - clk;
  if (delta < 0) return clk;
  let lvl = 0;
  while (lvl < LVL_DEPTH - 1 && delta >= LVL_START(lvl + 1)) lvl++;
  if (lvl === LVL_DEPTH - 1 && delta >= WHEEL_TIMEOUT_CUTOFF) {
    expires = clk + WHEEL_TIMEOUT_MAX;
    delta = WHEEL_TIMEOUT_MAX;
  }
  return ((expires >> LVL_SHIFT(lvl)) + 1) << LVL_SHIFT(lvl);
}

/** A timer's expiry in jiffies since boot (timer->expires), for /proc/net/tcp and ss -o. */
export function timer_expires_jiffies(t: { expires: number }): number {
  return Math.floor((t.expires + UPTIME_AT_START_NS) / TICK_NS);
}

/** jiffies for code that holds the clock's reading in ns of the lab (the shell's tools). */
export function jiffies_at(nowNs: number): number {
  return Math.floor((nowNs + UPTIME_AT_START_NS) / TICK_NS);
}

/** mod_timer(timer, expires): (re)arm for jiffy `expires`. */
export function mod_timer<T>(ctx: KernelCtx, t: KTimer<T>, expires: number): void {
  // Back from jiffies since boot to the lab's clock.
  const at = timer_bucket_expiry(expires, jiffies(ctx)) * TICK_NS - UPTIME_AT_START_NS;
  ctx.modTimer(t, Math.max(at, ctx.now()));
}

/** mod_timer_pending: re-arm only a timer that is still pending. */
export function mod_timer_pending<T>(ctx: KernelCtx, t: KTimer<T>, expires: number): void {
  if (t.pending) mod_timer(ctx, t, expires);
}

/** del_timer */
export function del_timer<T>(ctx: KernelCtx, t: KTimer<T>): void {
  if (t.pending) ctx.delTimer(t);
}

/** A timer of `host`, firing `fn(ctx, arg)` (timer_setup). */
export function timer_setup<T>(
  host: KTimer<T>['host'],
  fn: (ctx: KernelCtx, arg: T) => void,
  arg: T,
): KTimer<T> {
  return { fn, arg, expires: 0, pending: false, host, cpu: 0, seq: 0 };
}
