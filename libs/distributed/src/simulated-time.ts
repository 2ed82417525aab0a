/**
 * Simulated time across the processes of a lab. It moves on only from the shell, once the lab is idle:
 * each process says in Redis (in its batch's MULTI) when its earliest timer expires and its latest timer
 * that has an skb in flight; the shell reads those after each settle, and when another process's timer is
 * the next thing to happen, asks on the advance channel for the timers due by then to fire and waits until
 * each such process says it has fired them.
 */
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { Lab } from '@skblab/runtime';
import { KEYS, advanceChannel } from './keys';
import type { Stalls } from './stall';

export class SimulatedTime {
  /** The expiry of this process's earliest timer as last told to Redis. */
  private publishedTimer = Infinity;
  private publishedInFlight = -Infinity;
  /** The other processes' latest in-flight timer, as of the last settle. */
  private remoteLastInFlight = -Infinity;
  /** The earliest timer of any other process, as of the last settle. */
  private remoteNext = Infinity;

  constructor(
    private readonly redis: Redis,
    private readonly lab: Lab,
    private readonly labId: string,
    private readonly instance: string,
    private readonly stalls: Stalls,
  ) {}

  /** A process taking over from a predecessor: its timers died with it. */
  async forgetPredecessor(): Promise<void> {
    await this.redis.zrem(KEYS.timers, this.instance);
    await this.redis.zrem(KEYS.inflightTimers, this.instance);
  }

  /** Into a batch's MULTI: this process's earliest timer and latest in-flight one, where they changed. */
  publish(p: ChainableCommander): void {
    const nextTimer = this.lab.timers.peek()?.expires ?? Infinity;
    if (nextTimer !== this.publishedTimer) {
      this.publishedTimer = nextTimer;
      if (nextTimer === Infinity) p.zrem(KEYS.timers, this.instance);
      else p.zadd(KEYS.timers, nextTimer, this.instance);
    }
    const lastInFlight = this.lab.timers.lastInFlight();
    if (lastInFlight !== this.publishedInFlight) {
      this.publishedInFlight = lastInFlight;
      if (lastInFlight === -Infinity) p.zrem(KEYS.inflightTimers, this.instance);
      else p.zadd(KEYS.inflightTimers, lastInFlight, this.instance);
    }
  }

  /** The lab has settled: take its latest simulated time and the other processes' timers. */
  async readRemote(): Promise<void> {
    const clock = Number((await this.redis.get(KEYS.clock)) ?? '0');
    if (clock > this.lab.clock) this.lab.clock = clock;
    const timers = await this.redis.zrange(KEYS.timers, 0, 1, 'WITHSCORES');
    this.remoteNext = Infinity;
    for (let i = 0; i < timers.length; i += 2)
      if (timers[i] !== this.instance) this.remoteNext = Math.min(this.remoteNext, Number(timers[i + 1]));
    const inflight = await this.redis.zrange(KEYS.inflightTimers, 0, -1, 'WITHSCORES');
    this.remoteLastInFlight = -Infinity;
    for (let i = 0; i < inflight.length; i += 2)
      if (inflight[i] !== this.instance)
        this.remoteLastInFlight = Math.max(this.remoteLastInFlight, Number(inflight[i + 1]));
  }

  /**
   * A service's side of the advance channel: fire this process's timers due by `t`, send what they made
   * (`flush`; `stamp` settles the departure time of what they sent), then say so.
   */
  async advance(t: number, flush: (force?: boolean) => Promise<void>, stamp: () => void): Promise<void> {
    await flush();
    this.lab.runTimersUntil(t);
    stamp();
    await flush(true);
    await this.redis.hset(KEYS.advanced, this.instance, t);
  }

  /**
   * The shell's side: every process with a timer due by `t` fires it; resolves when they have, and
   * (`idle`) what they sent has been handled everywhere.
   */
  async fireRemote(t: number, timeoutMs: number, idle: (timeoutMs: number) => Promise<void>): Promise<void> {
    const due = await this.redis.zrangebyscore(KEYS.timers, '-inf', t);
    const others = due.filter((m) => m !== this.instance);
    await this.redis.publish(advanceChannel(this.labId), String(t));
    const waited = this.stalls.watch(timeoutMs);
    for (;;) {
      const advanced = others.length ? await this.redis.hmget(KEYS.advanced, ...others) : [];
      const late = others.filter((_, i) => advanced[i] === null || Number(advanced[i]) < t);
      if (!late.length) break;
      await waited(late.join(','), () => ({ timersOf: late }));
      await new Promise((r) => setTimeout(r, 2));
    }
    await idle(timeoutMs);
  }

  /**
   * Make this process the one that moves simulated time (the shell's): before a timer fires or a command
   * runs, the lab settles (`idle`), and the services' timers fire when they are the next thing to happen.
   */
  drive(idle: (timeoutMs?: number) => Promise<void>, timeoutMs = 30_000): void {
    this.lab.settle = () => idle();
    this.lab.remoteTimers = {
      next: () => this.remoteNext,
      fire: (t) => this.fireRemote(t, timeoutMs, idle),
      lastInFlight: () => this.remoteLastInFlight,
    };
  }
}
