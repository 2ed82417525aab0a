/**
 * The configuration log's entries (the `skblab:<lab>:config` list): each one kernel operation that
 * succeeded in a shell's view, as JSON data,
 *
 *   {"host":"host1","rng":1234567,"comm":"ip","cpu":0,"op":{"op":"addr.add","netns":"","dev":"eth0",...}}
 *
 * that every service applies to its own view (Lab.replay). Nothing in an entry is a command: an entry is
 * taken only if it is exactly this shape and its operation passes the kernel's policy (config_op_check);
 * anything else is a ConfigEntryError naming what is wrong.
 */
import type Redis from 'ioredis';
import { config_op_check, ConfigOpError } from '@skblab/kernel';
import type { ConfigRecord, Lab } from '@skblab/runtime';
import { configChannel, keyPrefix, KEYS } from './keys';

/** The longest entry taken (a qdisc's options are the biggest operation: well under this). */
export const CONFIG_ENTRY_MAX_BYTES = 16 * 1024;

export class ConfigEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigEntryError';
  }
}

const FIELDS = ['host', 'rng', 'comm', 'cpu', 'op'];

/** An entry from the log, checked: the record, or a ConfigEntryError. */
export function decodeConfigEntry(raw: string): ConfigRecord {
  if (typeof raw !== 'string') throw new ConfigEntryError('not a string');
  if (raw.length > CONFIG_ENTRY_MAX_BYTES)
    throw new ConfigEntryError(`${raw.length} bytes, more than ${CONFIG_ENTRY_MAX_BYTES}`);
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ConfigEntryError('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigEntryError('not an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k)) throw new ConfigEntryError(`unknown field '${k.slice(0, 40)}'`);
  for (const k of FIELDS) if (!(k in o)) throw new ConfigEntryError(`missing field '${k}'`);
  if (typeof o.host !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(o.host))
    throw new ConfigEntryError('bad host');
  if (typeof o.rng !== 'number' || !Number.isInteger(o.rng) || o.rng < 1 || o.rng > 0xffffffff)
    throw new ConfigEntryError('bad rng');
  if (typeof o.comm !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(o.comm))
    throw new ConfigEntryError('bad comm');
  if (typeof o.cpu !== 'number' || !Number.isInteger(o.cpu) || o.cpu < 0 || o.cpu > 1023)
    throw new ConfigEntryError('bad cpu');
  try {
    return { host: o.host, rng: o.rng, comm: o.comm, cpu: o.cpu, op: config_op_check(o.op) };
  } catch (e) {
    if (e instanceof ConfigOpError) throw new ConfigEntryError(e.message);
    throw e;
  }
}

/** An entry for the log; a record that would not be taken back (decodeConfigEntry) throws here. */
export function encodeConfigEntry(r: ConfigRecord): string {
  const raw = JSON.stringify({ host: r.host, rng: r.rng, comm: r.comm, cpu: r.cpu, op: r.op });
  decodeConfigEntry(raw);
  return raw;
}

/** What a view did with the entries it went through. */
export interface ConfigCounts {
  configApplied: number;
  configRejected: number;
  configFailed: number;
}

/**
 * The configuration log of one view of the lab: a service applies the entries it has not seen (catchUp, on
 * each publish), a shell joining a running lab replays them all, and a shell appends its tools' operations
 * and waits until the services have applied them (publish).
 */
export class ConfigLog {
  private seen = 0;
  private running: Promise<void> | null = null;

  constructor(
    /** The lab's Redis, keys prefixed with the lab's. */
    private readonly redis: Redis,
    private readonly lab: Lab,
    private readonly labId: string,
    /** This process's name in `config-applied` and in log lines. */
    private readonly instance: string,
    private readonly counts: ConfigCounts,
    private readonly log: (line: string) => void,
    /** An entry ran on this host in this view (its devices and counters may have moved). */
    private readonly changed: (host: string) => void,
  ) {}

  /**
   * One entry (its index in the list is `index`): checked, then applied to this view's kernel. A bad
   * entry is refused, counted and logged (once: each entry is seen once), never run.
   */
  private apply(index: number, raw: string): void {
    const key = `${keyPrefix(this.labId)}${KEYS.config}[${index}]`;
    const who = `skblab ${this.instance}: config entry ${key}`;
    let r: ConfigRecord;
    try {
      r = decodeConfigEntry(raw);
    } catch (e) {
      if (!(e instanceof ConfigEntryError)) throw e;
      this.counts.configRejected++;
      this.log(`${who} refused: ${e.message}`);
      return;
    }
    try {
      const res = this.lab.replay(r);
      if (res.err < 0) {
        this.counts.configFailed++;
        this.log(
          `${who} (${r.op.op} on ${r.host}) failed here: errno ${-res.err}` +
            (res.extack ? ` (${res.extack})` : ''),
        );
      } else this.counts.configApplied++;
    } catch (e) {
      this.counts.configFailed++;
      this.log(`${who} (${r.op.op} on ${r.host}) threw: ${String(e)}`);
    }
    if (this.lab.hosts.has(r.host)) this.changed(r.host);
  }

  /** A shell joining a running lab: apply what was logged so far (the boot, earlier shells' operations). */
  async replay(): Promise<void> {
    const entries = await this.redis.lrange(KEYS.config, 0, -1);
    entries.forEach((raw, i) => this.apply(i, raw));
  }

  /** Apply the entries this view has not seen yet, in order, then say how far it got. One at a time. */
  async catchUp(): Promise<void> {
    while (this.running) await this.running;
    this.running = (async () => {
      const entries = await this.redis.lrange(KEYS.config, this.seen, -1);
      for (const raw of entries) this.apply(this.seen++, raw);
      await this.redis.hset(KEYS.configApplied, this.instance, this.seen);
    })();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Append operations to the log without waiting for the services (a lab's boot). */
  async append(records: readonly ConfigRecord[]): Promise<void> {
    if (!records.length) return;
    const n = await this.redis.rpush(KEYS.config, ...records.map(encodeConfigEntry));
    await this.redis.publish(configChannel(this.labId), String(n));
  }

  /**
   * The shell's tools changed the configuration: log the operations, tell the services, and wait until
   * each has applied them (so the next command's packets meet the same namespaces, devices, addresses and
   * routes everywhere). `what`: the command line, for a timeout's message.
   */
  async publish(
    records: readonly ConfigRecord[],
    services: readonly string[],
    what?: string,
    timeoutMs = 30_000,
  ): Promise<void> {
    await this.append(records);
    await this.awaitApplied(services, timeoutMs, what);
  }

  /** Wait until each of `services` (instances) has applied every entry of the log. */
  async awaitApplied(services: readonly string[], timeoutMs = 30_000, what?: string): Promise<void> {
    const n = await this.redis.llen(KEYS.config);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const applied = await this.redis.hgetall(KEYS.configApplied);
      const behind = services.filter((s) => Number(applied[s] ?? 0) < n);
      if (!behind.length) return;
      if (Date.now() > until)
        throw new Error(
          `services did not apply ${what ? `'${what}'` : `the ${n} configuration entries`} in time: ${behind.join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
