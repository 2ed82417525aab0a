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
import { config_op_check, ConfigOpError } from '@skblab/kernel';
import type { ConfigRecord } from '@skblab/runtime';

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
