/**
 * nstat(8) from iproute2 6.1 (misc/nstat.c): the SNMP counters of /proc/net/snmp and /proc/net/netstat
 * (/proc/net/snmp6 and /proc/net/sctp/snmp: absent, as on an IPv4-only kernel without SCTP), as increments
 * since the last run, kept in a history file, or (-a) absolute. The history file (/tmp/.nstat.u<uid>) is
 * in the host's in-memory /tmp.
 */
import {
  O_CREAT,
  O_TRUNC,
  O_WRONLY,
  S_ISREG,
  do_unlinkat,
  lookup_inode,
  path_openat,
  vfs_write,
  type Host,
} from '@skblab/kernel';
import type { Command, CommandContext } from './command';
import { expandLongOptions, getopt, type LongOption } from './getopt';
import { readProcFile } from './procfs';

/** nstat.c's entry: a counter's name, value, and (with the daemon) its rate. */
interface NstatEnt {
  id: string;
  val: bigint;
  rate: number;
}

/**
 * The host's /tmp as nstat uses it: whole files read and written as text, in the host's file store
 * (fs/ramfs: `cat /tmp/.nstat.u0` shows it, `rm` removes it).
 */
function tmpOf(host: Host) {
  const sb = host.fs;
  const get = (path: string): string | undefined => {
    const inode = lookup_inode(sb, path);
    return inode && S_ISREG(inode.mode)
      ? Buffer.from(inode.data.subarray(0, inode.size)).toString('latin1')
      : undefined;
  };
  return {
    get,
    has: (path: string): boolean => get(path) !== undefined,
    delete: (path: string): void => void do_unlinkat(sb, path),
    set: (path: string, text: string): void => {
      const f = path_openat(sb, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
      if (typeof f !== 'number') vfs_write(f, Buffer.from(text, 'latin1'));
    },
  };
}

/** The history file's text on a host, null when there is none (for tests and `cat`-like inspection). */
export function nstatHistory(host: Host, uid = 0): string | null {
  return tmpOf(host).get(`/tmp/.nstat.u${uid}`) ?? null;
}

/** useless_numbers: configuration values, not counters; never shown nor remembered. */
const USELESS = new Set([
  'IpForwarding',
  'IpDefaultTTL',
  'TcpRtoAlgorithm',
  'TcpRtoMin',
  'TcpRtoMax',
  'TcpMaxConn',
  'TcpCurrEstab',
]);

/** strtoull as sscanf's %llu reads it: a negative value wraps (TcpMaxConn's -1 would be 2^64-1). */
function llu(s: string): bigint | null {
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return null;
  const v = BigInt(m[2]) & ((1n << 64n) - 1n);
  return m[1] === '-' ? ((1n << 64n) - v) & ((1n << 64n) - 1n) : v;
}

/**
 * load_ugly_table: a /proc/net/{snmp,netstat} file, pairs of lines `Tcp: RtoAlgorithm RtoMin ...` and
 * `Tcp: 1 200 ...`, each name prefixed by its group (TcpRtoMin). Useless numbers are left out.
 */
function loadUglyTable(text: string): NstatEnt[] | string {
  const lines = text.split('\n').filter((l) => l !== '');
  const out: NstatEnt[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const colon = lines[i].indexOf(':');
    if (colon < 0 || i + 1 >= lines.length) return 'error parsing history file';
    const prefix = lines[i].slice(0, colon);
    const names = lines[i].slice(colon + 2).split(' ');
    const values = lines[i + 1].slice(colon + 2).split(' ');
    for (let k = 0; k < names.length; k++) {
      const val = llu(values[k] ?? '');
      if (val === null) return 'error parsing history file';
      if (!USELESS.has(prefix + names[k])) out.push({ id: prefix + names[k], val, rate: 0 });
    }
  }
  return out;
}

/** load_good_table: a history file (`#source` lines, then `Name value [rate]`). */
function loadGoodTable(text: string): { source: string | null; ents: NstatEnt[] } | string {
  let source: string | null = null;
  const ents: NstatEnt[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line[0] === '#') {
      source = line.slice(1);
      continue;
    }
    const [id, v, r] = line.trim().split(/\s+/);
    const val = v === undefined ? null : llu(v);
    if (val === null) return 'error parsing history file';
    if (USELESS.has(id)) continue;
    const rate = r === undefined ? 0 : Number(r);
    ents.push({ id, val, rate: Number.isNaN(rate) ? 0 : rate });
  }
  return { source, ents };
}

/** fnmatch(pattern, name, FNM_CASEFOLD): `*`, `?`, `[...]` (with `!` or `^`), `\` escapes. */
export function fnmatchCasefold(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!' || pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern.slice(i + 1, j);
        const neg = body[0] === '!' || body[0] === '^';
        if (neg) body = body.slice(1);
        re += `[${neg ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/^\]/, '\\]')}]`;
        i = j;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'is').test(name);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** json_writer.c's output of `{source: {id: val, ...}}`, compact or (-p) pretty. */
function jsonDump(source: string, rows: Array<[string, bigint]>, pretty: boolean): string {
  const q = (s: string) => JSON.stringify(s);
  if (!pretty)
    return `{${q(source)}:{${rows.map(([k, v]) => `${q(k)}:${BigInt.asUintN(32, v)}`).join(',')}}}\n`;
  const inner = rows.map(([k, v]) => `\n        ${q(k)}: ${BigInt.asUintN(32, v)}`).join(',');
  return `{\n    ${q(source)}: {${inner}${rows.length ? '\n    ' : ''}}\n}\n`;
}

/** One line of the table: "%-32s%-16llu%6.1f". */
function row(id: string, val: bigint, rate: number, ovfl = false): string {
  return `${id.padEnd(32)}${String(val).padEnd(16)}${rate.toFixed(1).padStart(6)}${ovfl ? ' (overflow)' : ''}\n`;
}

const USAGE =
  'Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]\n' +
  '   -h, --help          this message\n' +
  '   -a, --ignore        ignore history\n' +
  '   -d, --scan=SECS     sample every statistics every SECS\n' +
  '   -j, --json          format output in JSON\n' +
  '   -n, --nooutput      do history only\n' +
  '   -p, --pretty        pretty print\n' +
  '   -r, --reset         reset history\n' +
  "   -s, --noupdate      don't update history\n" +
  '   -t, --interval=SECS report average over the last SECS\n' +
  '   -V, --version       output version information\n' +
  '   -z, --zeros         show entries with zero activity\n';

const LONGOPTS: readonly LongOption[] = [
  ['help', 'h', 0],
  ['ignore', 'a', 0],
  ['scan', 'd', 1],
  ['nooutput', 'n', 0],
  ['json', 'j', 0],
  ['reset', 'r', 0],
  ['noupdate', 's', 0],
  ['pretty', 'p', 0],
  ['interval', 't', 1],
  ['version', 'V', 0],
  ['zeros', 'z', 0],
];

const SHORTS = 'h?vVzrnasd:t:jp';

/** The kernel's counters (update_db's loads): snmp's, then netstat's, as nstat lists them. */
function loadKernel(ctx: CommandContext): NstatEnt[] | string {
  const db: NstatEnt[] = [];
  // Each load_* puts its file's entries before those already loaded: netstat, snmp6, snmp, sctp.
  for (const file of ['/proc/net/netstat', '/proc/net/snmp']) {
    const text = readProcFile(ctx.host, ctx.net, file, ctx.lab.now());
    if (text === null) continue;
    const ents = loadUglyTable(text);
    if (typeof ents === 'string') return ents;
    db.unshift(...ents);
  }
  return db;
}

export const nstat: Command = async (ctx) => {
  const usage = () => {
    ctx.err(USAGE);
    return 255;
  };
  const expanded = expandLongOptions('nstat', ctx.argv.slice(1), LONGOPTS, SHORTS);
  if (typeof expanded === 'string') {
    ctx.err(`${expanded}\n`);
    return usage();
  }
  const g = getopt(expanded, SHORTS, 'nstat');
  if (g.error) {
    ctx.err(`${g.error}\n`);
    return usage();
  }
  let dumpZeros = false;
  let reset = false;
  let ignoreHistory = false;
  let noOutput = false;
  let noUpdate = false;
  let json = false;
  let pretty = false;
  for (const [o, v] of g.opts) {
    switch (o) {
      case 'z':
        dumpZeros = true;
        break;
      case 'r':
        reset = true;
        break;
      case 'a':
        ignoreHistory = true;
        break;
      case 's':
        noUpdate = true;
        break;
      case 'n':
        noOutput = true;
        break;
      case 'j':
        json = true;
        break;
      case 'p':
        pretty = true;
        break;
      case 'd':
        // The sampling daemon (server_loop) forks into the background: not something the lab's shell runs.
        if (parseInt(v!, 10) > 0) {
          ctx.err('nstat: daemon: Operation not supported\n');
          return 255;
        }
        break;
      case 't': {
        const t = parseInt(v!, 10);
        if (!(t > 0)) {
          ctx.err('nstat: invalid time constant divisor\n');
          return 255;
        }
        break;
      }
      case 'v':
      case 'V':
        ctx.out('nstat utility, iproute2-6.1.0\n');
        return 0;
      default:
        return usage();
    }
  }
  const patterns = g.operands;
  const match = (id: string) => !patterns.length || patterns.some((p) => fnmatchCasefold(p, id));

  // The history file: /tmp/.nstat.u<uid> (NSTAT_HISTORY is not settable in the lab's shell); the lab runs
  // its commands as root.
  const tmp = tmpOf(ctx.host);
  const histName = '/tmp/.nstat.u0';
  if (reset) tmp.delete(histName);
  let histDb: NstatEnt[] | null = null;
  let infoSource = '';
  if (!ignoreHistory || !noUpdate) {
    // open(O_RDWR|O_CREAT): the file exists from now on, empty if it was not there.
    if (!tmp.has(histName)) tmp.set(histName, '');
    const loaded = loadGoodTable(tmp.get(histName)!);
    if (typeof loaded === 'string') {
      ctx.err(`nstat.c:146: ${loaded}\n`);
      return 254;
    }
    if (loaded.source !== null) infoSource = loaded.source;
    histDb = loaded.ents;
  }
  // No daemon to ask: the kernel's own counters, and a history some daemon wrote is stale.
  if (histDb && histDb.length && infoSource && infoSource !== 'kernel') {
    ctx.err('nstat: history is stale, ignoring it.\n');
    histDb = null;
    infoSource = '';
  }
  const kern = loadKernel(ctx);
  if (typeof kern === 'string') {
    ctx.err(`nstat.c:199: ${kern}\n`);
    return 254;
  }
  if (!infoSource) infoSource = 'kernel';

  // dump_kern_db: absolute values; to the history file, a counter the patterns leave out keeps its
  // remembered value, so that its next increment is still counted from the last full run.
  const dumpKern = (toHist: boolean, asJson: boolean): string => {
    const rows: Array<[string, bigint, number]> = [];
    let h = 0;
    const hist = histDb ?? [];
    for (const n of kern) {
      let val = n.val;
      if (!dumpZeros && !val && !n.rate) continue;
      if (!match(n.id)) {
        if (!toHist) continue;
        for (let k = h; k < hist.length; k++)
          if (hist[k].id === n.id) {
            val = hist[k].val;
            h = k + 1;
            break;
          }
      }
      rows.push([n.id, val, n.rate]);
    }
    if (asJson)
      return jsonDump(
        infoSource,
        rows.map(([id, v]) => [id, v]),
        pretty,
      );
    return `#${infoSource}\n` + rows.map(([id, v, r]) => row(id, v, r)).join('');
  };

  // dump_incr_db: each counter less its remembered value (a counter that went backwards: 0, "(overflow)").
  const dumpIncr = (): string => {
    const rows: Array<[string, bigint, number, boolean]> = [];
    let h = 0;
    const hist = histDb ?? [];
    for (const n of kern) {
      let ovfl = false;
      let val = n.val;
      for (let k = h; k < hist.length; k++)
        if (hist[k].id === n.id) {
          if (val < hist[k].val) {
            ovfl = true;
            val = hist[k].val;
          }
          val -= hist[k].val;
          h = k + 1;
          break;
        }
      if (!dumpZeros && !val && !n.rate) continue;
      if (!match(n.id)) continue;
      rows.push([n.id, val, n.rate, ovfl]);
    }
    if (json)
      return jsonDump(
        infoSource,
        rows.map(([id, v]) => [id, v]),
        pretty,
      );
    return `#${infoSource}\n` + rows.map(([id, v, r, o]) => row(id, v, r, o)).join('');
  };

  if (!noOutput)
    ctx.out(ignoreHistory || histDb === null || !histDb.length ? dumpKern(false, json) : dumpIncr());
  if (!noUpdate) tmp.set(histName, dumpKern(true, false));
  return 0;
};
