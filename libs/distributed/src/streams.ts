/**
 * What a process's batches tell the rest of the lab besides skbs, and how the shell reads it back:
 *
 * - the trace stream: the steps each service recorded (XADD in the batch's MULTI), with the header bytes
 *   of their skbs, so the shell shows journeys of skbs it never held;
 * - the counters: each flush's deltas of the hosts the batch touched (counters.ts), and the neighbour
 *   tables, which the neigh service owns and the others mirror (neighbours.ts).
 */
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { allocSkb, type Net, type SkBuff } from '@skblab/kernel';
import type { ExportedStep, Lab } from '@skblab/runtime';
import { CounterSync } from './counters';
import { NeighbourMirror } from './neighbours';
import { KEYS, TRACE_STREAM_MAXLEN } from './keys';

/** The header bytes of an skb, so the shell can show the tuple of an skb it never held. */
interface SkbHeader {
  id: number;
  protocol: number;
  len: number;
  /** base64 of up to 64 bytes from the network header. */
  nh: string;
}

/** Stamp the counters hashes a flush changed with the next sequence number (what the shell reloads). */
const STAMP_LUA = `
local s = redis.call('INCR', KEYS[1])
for i = 1, #ARGV do redis.call('ZADD', KEYS[2], s, ARGV[i]) end
return s`;

export class TraceStream {
  /** The trace's write count at the last ship. */
  private shipped = 0;
  private cursor = '0-0';
  private importing: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly lab: Lab,
    private readonly instance: string,
  ) {}

  /** Steps were recorded since the last ship. */
  get behind(): boolean {
    return this.lab.trace.written !== this.shipped;
  }

  /** Into a batch's MULTI: the steps recorded since the last ship (`on` false: they are only passed). */
  ship(p: ChainableCommander, on: boolean): void {
    const steps = on ? this.lab.trace.exportSince(this.shipped) : [];
    this.shipped = this.lab.trace.written;
    if (steps.length)
      p.xadd(
        KEYS.trace,
        'MAXLEN',
        '~',
        TRACE_STREAM_MAXLEN,
        '*',
        'from',
        this.instance,
        'steps',
        JSON.stringify(steps),
        'skbs',
        JSON.stringify(this.headersOf(steps)),
      );
  }

  private headersOf(steps: ExportedStep[]): SkbHeader[] {
    const ids = new Set(steps.map((s) => s.skbId));
    const out: SkbHeader[] = [];
    // The skbs of a batch's steps are among the latest journeys: look from the newest back.
    const j = this.lab.journeys;
    for (let i = j.length - 1; i >= 0 && ids.size && i >= j.length - 1024; i--) {
      const skb = j[i];
      if (!ids.delete(skb.id) || skb.networkHeader < 0) continue;
      const nh = skb.buf.subarray(skb.networkHeader, Math.min(skb.buf.length, skb.networkHeader + 64));
      out.push({ id: skb.id, protocol: skb.protocol, len: skb.len, nh: Buffer.from(nh).toString('base64') });
    }
    return out;
  }

  /**
   * Steps from the stream that other processes recorded, into this lab's trace. One import at a time: two
   * waits for the lab to settle (a traceroute's probes) must not read the same entries twice.
   */
  async import(): Promise<void> {
    while (this.importing) await this.importing;
    this.importing = this.importNewSteps();
    try {
      await this.importing;
    } finally {
      this.importing = null;
    }
  }

  private async importNewSteps(): Promise<void> {
    for (;;) {
      const entries = await this.redis.xrange(KEYS.trace, `(${this.cursor}`, '+', 'COUNT', 500);
      if (!entries.length) return;
      for (const [id, fields] of entries) {
        this.cursor = id;
        const f: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
        if (f.from === this.instance) continue;
        const steps = JSON.parse(f.steps) as ExportedStep[];
        const headers = new Map((JSON.parse(f.skbs) as SkbHeader[]).map((h) => [h.id, h]));
        const known = new Map(this.lab.journeys.map((s) => [s.id, s]));
        this.lab.importSteps(steps, (id, net) => {
          let skb = known.get(id) ?? null;
          const h = headers.get(id);
          if (!skb && h) {
            skb = stubSkb(id, net, h);
            known.set(id, skb);
          } else if (skb && h && (skb.protocol === 0 || skb.networkHeader < 0)) {
            // The journey went on elsewhere: show the headers as they ended up.
            Object.assign(skb, stubSkb(id, net, h), { traced: skb.traced });
          }
          return skb;
        });
      }
    }
  }
}

function stubSkb(id: number, net: Net, h: SkbHeader): SkBuff {
  const bytes = Buffer.from(h.nh, 'base64');
  const skb = allocSkb(id, net, bytes.length, 0);
  skb.buf.set(bytes, 0);
  skb.networkHeader = 0;
  skb.len = h.len;
  skb.protocol = h.protocol;
  return skb;
}

export class CounterStream {
  private readonly counters = new CounterSync();
  private readonly neighbours = new NeighbourMirror();
  /** The sequence number of the latest counters change this view has loaded (-1: none yet). */
  private seq = -1;

  constructor(
    private readonly redis: Redis,
    private readonly lab: Lab,
    /** This process runs the neigh service's hops: the neighbour tables are its own to write. */
    private readonly ownsNeighbours: boolean,
    private readonly owns: (host: { name: string }) => boolean,
  ) {}

  /** Devices, namespaces or qdiscs came or went: the counters' layout is rebuilt. */
  invalidate(): void {
    this.counters.invalidate();
  }

  /**
   * Into a batch's MULTI: the counters' deltas (of `touched` hosts only, when given), stamped; and, for
   * the owner, the neighbour tables that changed, each replacing the mirrors' copy.
   */
  ship(p: ChainableCommander, touched?: string[]): void {
    const changedKeys = new Set<string>();
    for (const [key, field, d] of this.counters.deltas(this.lab, touched)) {
      p.hincrbyfloat(key, field, d);
      changedKeys.add(key);
    }
    if (changedKeys.size) p.eval(STAMP_LUA, 2, KEYS.countersSeq, KEYS.countersChanged, ...changedKeys);
    if (this.ownsNeighbours)
      for (const [key, json] of this.neighbours.changed(
        this.lab,
        touched?.filter((h) => this.owns({ name: h })),
      ))
        p.set(key, json);
  }

  /**
   * The lab's counters (every service's counting) into this view, so /proc and `ip -s` show them: the
   * hashes changed since the last load (all of them the first time); and the neighbour tables.
   */
  async load(): Promise<void> {
    let keys: string[];
    if (this.seq < 0) {
      this.seq = Number((await this.redis.get(KEYS.countersSeq)) ?? 0);
      keys = this.counters.keys(this.lab);
    } else {
      const changed = await this.redis.zrangebyscore(
        KEYS.countersChanged,
        `(${this.seq}`,
        '+inf',
        'WITHSCORES',
      );
      keys = [];
      for (let i = 0; i < changed.length; i += 2) {
        keys.push(changed[i]);
        this.seq = Math.max(this.seq, Number(changed[i + 1]));
      }
    }
    const p = this.redis.pipeline();
    for (const k of keys) p.hgetall(k);
    const res = (await p.exec()) ?? [];
    const totals = new Map<string, Record<string, string>>();
    keys.forEach((k, i) => totals.set(k, (res[i]?.[1] as Record<string, string>) ?? {}));
    this.counters.load(this.lab, totals);
    if (!this.ownsNeighbours) {
      const nk = this.neighbours.keys(this.lab);
      const tables = nk.length ? await this.redis.mget(...nk) : [];
      this.neighbours.load(this.lab, new Map(nk.map((k, i) => [k, tables[i]])));
    }
  }
}
