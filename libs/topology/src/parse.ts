/**
 * Topology files: YAML text → a validated TopologySpec, or the first mistake as `FILE:LINE:COL: what`.
 *
 * The YAML library's Document API keeps every node's source range; a LineCounter turns offsets into lines
 * and columns. A YAML syntax error is reported before anything else. Otherwise the whole file is checked,
 * every mistake is collected with its position, and the one written first in the file is reported, so the
 * answer does not depend on the order the checks run in (the CPUs a host has are known before its NICs'
 * irq_affinity is checked, wherever `cpus` is written).
 */
import { readFileSync } from 'node:fs';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { DEFAULTS, HOST_NAME, LIMITS, NIC_NAME, defaultWire } from './limits';
import type { HostSpec, NicSpec, Pos, TopologySpec, WireSpec } from './spec';
import { parsePercent, parseTcRate, parseTcTime } from './units';

export interface TopologyError {
  error: string;
}

export function isTopologyError(x: TopologySpec | TopologyError): x is TopologyError {
  return 'error' in x;
}

/** 'FILE:LINE:COL' for a position in a spec's file ('<generated>' alone for a generated spec). */
export function at(spec: Pick<TopologySpec, 'file'>, pos: Pos): string {
  return pos.line === 0 ? spec.file : `${spec.file}:${pos.line}:${pos.col}`;
}

const SYSCTL_NAME = /^[a-z0-9_]+(?:\.[a-z0-9_]+)+$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;
const CIDR = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(0|[1-9]\d?)$/;

const TOP_KEYS = ['hosts', 'wires'];
const HOST_KEYS = ['cpus', 'nics', 'routes', 'sysctls', 'exec'];
const NIC_KEYS = ['mac', 'mtu', 'queues', 'rx_ring', 'tx_ring', 'irq_affinity', 'address'];
const WIRE_KEYS = ['between', 'delay', 'jitter', 'loss', 'rate', 'corrupt', 'duplicate', 'reorder', 'state'];

/** A node with aliases resolved, and where it was written (an alias: where the alias was written). */
interface Val {
  node: Node | null;
  pos: Pos;
}

interface Entry {
  key: string;
  keyPos: Pos;
  val: Val;
}

interface Issue {
  line: number;
  col: number;
  message: string;
}

function isCidr(s: string): boolean {
  const m = CIDR.exec(s);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

function quote(s: string): string {
  const short = s.length > 60 ? s.slice(0, 57) + '...' : s;
  return `'${short}'`;
}

/** What a node holds, for "got …". */
function got(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string') return quote(v);
    if (v === null) return node.source ? node.source : 'nothing';
    return node.source ?? String(v);
  }
  return 'something else';
}

class Checker {
  readonly issues: Issue[] = [];

  constructor(
    private readonly lc: LineCounter,
    private readonly doc: Document.Parsed,
  ) {}

  posAt(offset: number): Pos {
    const { line, col } = this.lc.linePos(offset);
    return { line: Math.max(line, 1), col: Math.max(col, 1) };
  }

  fail(pos: Pos, path: string, message: string): undefined {
    this.issues.push({ line: pos.line, col: pos.col, message: path ? `${path}: ${message}` : message });
    return undefined;
  }

  /** Resolves an alias; `fallback` positions a value with no source range (an empty flow value). */
  val(node: unknown, fallback: Pos, path: string): Val | undefined {
    const n = (node ?? null) as Node | null;
    const pos = n?.range ? this.posAt(n.range[0]) : fallback;
    if (n !== null && isAlias(n)) {
      const target = n.resolve(this.doc);
      if (!target) return this.fail(pos, path, `unknown alias *${n.source}`);
      return { node: target, pos };
    }
    return { node: n, pos };
  }

  /**
   * A map's entries in file order, each key a plain scalar written once; with `allowed`, a key not in it is
   * an error that names the keys allowed. `what` says what the map was expected to be, for the error when
   * it is not one. Null (an empty value) is an empty map.
   */
  entries(v: Val, path: string, what: string, allowed?: string[]): Entry[] | undefined {
    if (v.node === null || (isScalar(v.node) && v.node.value === null && !v.node.source)) return [];
    if (!isMap(v.node)) return this.fail(v.pos, path, `expected ${what}, got ${got(v.node)}`);
    const seen = new Map<string, Pos>();
    const out: Entry[] = [];
    for (const pair of (v.node as YAMLMap<unknown, unknown>).items) {
      const k = this.val(pair.key, v.pos, path);
      if (!k) continue;
      if (k.node === null || !isScalar(k.node) || k.node.value === null || typeof k.node.value === 'object') {
        this.fail(k.pos, path, `expected a plain key, got ${got(k.node)}`);
        continue;
      }
      const key = typeof k.node.value === 'string' ? k.node.value : (k.node.source ?? String(k.node.value));
      const first = seen.get(key);
      if (first) {
        this.fail(k.pos, path, `duplicate key '${key}' (first at line ${first.line})`);
        continue;
      }
      seen.set(key, k.pos);
      if (allowed && !allowed.includes(key)) {
        this.fail(k.pos, path, `unknown key '${key}' (expected one of: ${allowed.join(', ')})`);
        continue;
      }
      const valuePath = path ? `${path}.${key}` : key;
      const value = this.val(pair.value, { line: k.pos.line, col: k.pos.col + key.length + 1 }, valuePath);
      if (value) out.push({ key, keyPos: k.pos, val: value });
    }
    return out;
  }

  /** A list's items (null, an empty value, is an empty list). */
  items(v: Val, path: string, what: string): Val[] | undefined {
    if (v.node === null || (isScalar(v.node) && v.node.value === null && !v.node.source)) return [];
    if (!isSeq(v.node)) return this.fail(v.pos, path, `expected ${what}, got ${got(v.node)}`);
    const out: Val[] = [];
    (v.node as YAMLSeq<unknown>).items.forEach((item, i) => {
      const iv = this.val(item, v.pos, `${path}[${i}]`);
      if (iv) out.push(iv);
    });
    return out;
  }

  int(v: Val, path: string, [min, max]: readonly [number, number], multipleOf = 1): number | undefined {
    const n = isScalar(v.node) ? v.node.value : undefined;
    if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max && n % multipleOf === 0)
      return n;
    const what = multipleOf === 1 ? 'an integer' : `a multiple of ${multipleOf}`;
    return this.fail(v.pos, path, `expected ${what} from ${min} to ${max}, got ${got(v.node)}`);
  }

  /** A non-empty string (a number is not one: quote it). */
  str(v: Val, path: string, what: string): string | undefined {
    const s = isScalar(v.node) ? v.node.value : undefined;
    if (typeof s === 'string' && s.trim() !== '') return s;
    return this.fail(v.pos, path, `expected ${what}, got ${got(v.node)}`);
  }

  /** A string or number, as the text written (tc values: "10ms", 0, 1.5). */
  text(v: Val): string | undefined {
    if (!isScalar(v.node)) return undefined;
    const x = v.node.value;
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return v.node.source ?? String(x);
    return undefined;
  }
}

/** Parses and validates a topology file's text; `file` names it in errors. */
export function parseTopology(text: string, file: string): TopologySpec | TopologyError {
  const lc = new LineCounter();
  // Duplicate keys are found below rather than by the library (uniqueKeys), to name the map they are in.
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors
      .map((e) => ({ e, p: e.linePos?.[0] ?? { line: 1, col: 1 } }))
      .sort((a, b) => a.p.line - b.p.line || a.p.col - b.p.col)[0];
    const msg =
      first.e.code === 'MULTIPLE_DOCS'
        ? 'expected one document, found a second (---)'
        : first.e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { error: `${file}:${first.p.line}:${first.p.col}: YAML syntax: ${msg}` };
  }

  const c = new Checker(lc, doc);
  const spec: TopologySpec = { file, hosts: [], wires: [] };
  const root = c.val(doc.contents, { line: 1, col: 1 }, '');
  if (root) {
    if (root.node === null || (isScalar(root.node) && root.node.value === null && !root.node.source)) {
      c.fail({ line: 1, col: 1 }, '', "expected a map with key 'hosts', got an empty file");
    } else {
      const top = c.entries(root, '', "a map with key 'hosts'", TOP_KEYS);
      if (top) {
        const hosts = top.find((e) => e.key === 'hosts');
        const wires = top.find((e) => e.key === 'wires');
        if (!hosts) c.fail(root.pos, '', "missing key 'hosts'");
        else spec.hosts = parseHosts(c, hosts.val);
        if (wires) spec.wires = parseWires(c, wires.val, spec.hosts);
      }
    }
  }

  if (c.issues.length === 0) return spec;
  const first = c.issues.reduce((a, b) => (b.line < a.line || (b.line === a.line && b.col < a.col) ? b : a));
  return { error: `${file}:${first.line}:${first.col}: ${first.message}` };
}

function parseHosts(c: Checker, v: Val): HostSpec[] {
  const entries = c.entries(v, 'hosts', 'a map of hosts');
  if (!entries) return [];
  if (entries.length === 0 && !(isMap(v.node) && v.node.items.length > 0)) {
    c.fail(
      v.pos,
      'hosts',
      `expected a non-empty map of hosts, got ${isMap(v.node) ? 'an empty map' : 'nothing'}`,
    );
  }
  const hosts: HostSpec[] = [];
  const macs = new Map<string, string>();
  for (const e of entries) {
    if (!HOST_NAME.test(e.key)) {
      c.fail(e.keyPos, 'hosts', `expected a host name matching [a-z][a-z0-9-]{0,31}, got ${quote(e.key)}`);
      continue;
    }
    hosts.push(parseHost(c, e, macs));
  }
  return hosts;
}

function parseHost(c: Checker, h: Entry, macs: Map<string, string>): HostSpec {
  const path = `hosts.${h.key}`;
  const host: HostSpec = {
    name: h.key,
    cpus: DEFAULTS.cpus,
    nics: [],
    routes: [],
    sysctls: [],
    exec: [],
    pos: h.keyPos,
  };
  const posOf: NonNullable<HostSpec['posOf']> = {};
  host.posOf = posOf;
  const entries = c.entries(h.val, path, `a map (${HOST_KEYS.join(', ')})`, HOST_KEYS) ?? [];
  const get = (k: string) => entries.find((e) => e.key === k);

  // cpus first, wherever it is written: irq_affinity is checked against it (unless it is wrong itself).
  let cpusKnown = true;
  const cpus = get('cpus');
  if (cpus) {
    posOf.cpus = cpus.val.pos;
    const n = c.int(cpus.val, `${path}.cpus`, LIMITS.cpus);
    if (n === undefined) cpusKnown = false;
    else host.cpus = n;
  }

  const nics = get('nics');
  if (nics) {
    posOf.nics = nics.keyPos;
    for (const n of c.entries(nics.val, `${path}.nics`, 'a map of NICs') ?? []) {
      if (!NIC_NAME.test(n.key) || n.key === 'lo') {
        c.fail(
          n.keyPos,
          `${path}.nics`,
          `expected a NIC name matching [a-z][a-z0-9]{0,14}, not lo, got ${quote(n.key)}`,
        );
        continue;
      }
      host.nics.push(parseNic(c, host, cpusKnown, n, `${path}.nics.${n.key}`, macs));
    }
  }

  const routes = get('routes');
  if (routes) {
    posOf.routes = routes.keyPos;
    const items = c.items(routes.val, `${path}.routes`, 'a list of routes (ip route add arguments)') ?? [];
    items.forEach((r, i) => {
      const s = c.str(r, `${path}.routes[${i}]`, 'a route (ip route add arguments)');
      if (s !== undefined) host.routes.push({ route: s, pos: r.pos });
    });
  }

  const sysctls = get('sysctls');
  if (sysctls) {
    posOf.sysctls = sysctls.keyPos;
    for (const s of c.entries(sysctls.val, `${path}.sysctls`, 'a map of sysctl name: value') ?? []) {
      if (!SYSCTL_NAME.test(s.key)) {
        c.fail(
          s.keyPos,
          `${path}.sysctls`,
          `expected a sysctl name like net.ipv4.ip_forward, got ${quote(s.key)}`,
        );
        continue;
      }
      const value = c.text(s.val);
      if (value === undefined) {
        c.fail(
          s.val.pos,
          `${path}.sysctls.${s.key}`,
          `expected a number or a string, got ${got(s.val.node)}`,
        );
        continue;
      }
      host.sysctls.push({ name: s.key, value, pos: s.keyPos, valuePos: s.val.pos });
    }
  }

  const exec = get('exec');
  if (exec) {
    posOf.exec = exec.keyPos;
    const items = c.items(exec.val, `${path}.exec`, 'a list of shell lines') ?? [];
    items.forEach((x, i) => {
      const s = c.str(x, `${path}.exec[${i}]`, 'a shell line');
      if (s !== undefined) host.exec.push({ line: s, pos: x.pos });
    });
  }
  return host;
}

function parseNic(
  c: Checker,
  host: HostSpec,
  cpusKnown: boolean,
  n: Entry,
  path: string,
  macs: Map<string, string>,
): NicSpec {
  const nic: NicSpec = {
    name: n.key,
    mac: null,
    mtu: DEFAULTS.mtu,
    queues: DEFAULTS.queues,
    rxRing: DEFAULTS.ring,
    txRing: DEFAULTS.ring,
    irqAffinity: null,
    addresses: [],
    pos: n.keyPos,
  };
  const posOf: NonNullable<NicSpec['posOf']> = {};
  nic.posOf = posOf;
  const entries = c.entries(n.val, path, `a map (${NIC_KEYS.join(', ')})`, NIC_KEYS) ?? [];
  const get = (k: string) => entries.find((e) => e.key === k);

  const mac = get('mac');
  if (mac) {
    posOf.mac = mac.val.pos;
    const s = c.text(mac.val);
    const p = `${path}.mac`;
    if (s === undefined || !MAC.test(s)) {
      c.fail(mac.val.pos, p, `expected a MAC address like 00:1b:21:00:01:00, got ${got(mac.val.node)}`);
    } else {
      const m = s.toLowerCase();
      const other = macs.get(m);
      if (parseInt(m.slice(0, 2), 16) & 1) {
        c.fail(mac.val.pos, p, `expected a unicast MAC (low bit of the first byte 0), got ${m}`);
      } else if (m === '00:00:00:00:00:00') {
        c.fail(mac.val.pos, p, `expected a non-zero MAC, got ${m}`);
      } else if (other) {
        c.fail(mac.val.pos, p, `duplicate MAC ${m} (already on ${other})`);
      } else {
        macs.set(m, `${host.name}:${nic.name}`);
        nic.mac = m;
      }
    }
  }

  let queuesKnown = true;
  for (const [key, field, limits, multipleOf] of [
    ['mtu', 'mtu', LIMITS.mtu, 1],
    ['queues', 'queues', LIMITS.queues, 1],
    ['rx_ring', 'rxRing', LIMITS.ring, 8],
    ['tx_ring', 'txRing', LIMITS.ring, 8],
  ] as const) {
    const e = get(key);
    if (!e) continue;
    posOf[field] = e.val.pos;
    const v = c.int(e.val, `${path}.${key}`, limits, multipleOf);
    if (v !== undefined) nic[field] = v;
    else if (field === 'queues') queuesKnown = false;
  }

  const irq = get('irq_affinity');
  if (irq) {
    posOf.irqAffinity = irq.val.pos;
    const p = `${path}.irq_affinity`;
    const items = c.items(irq.val, p, 'a list of CPUs, one per queue');
    if (items) {
      const cpus: number[] = [];
      let ok = true;
      const range: [number, number] = cpusKnown ? [0, host.cpus - 1] : [0, LIMITS.cpus[1] - 1];
      items.forEach((item, i) => {
        const n = isScalar(item.node) ? item.node.value : undefined;
        if (typeof n === 'number' && Number.isInteger(n) && n >= range[0] && n <= range[1]) cpus.push(n);
        else {
          ok = false;
          const has = cpusKnown ? ` (${host.name} has ${host.cpus} CPU${host.cpus === 1 ? '' : 's'})` : '';
          c.fail(
            item.pos,
            `${p}[${i}]`,
            `expected a CPU from ${range[0]} to ${range[1]}${has}, got ${got(item.node)}`,
          );
        }
      });
      if (queuesKnown && items.length !== nic.queues) {
        ok = false;
        const q = nic.queues;
        c.fail(irq.val.pos, p, `expected ${q} CPU${q === 1 ? '' : 's'} (one per queue), got ${items.length}`);
      }
      if (ok) nic.irqAffinity = cpus;
    }
  }

  const address = get('address');
  if (address) {
    posOf.addresses = address.val.pos;
    const p = `${path}.address`;
    const what = 'an IPv4 address with its prefix length like 192.168.1.1/24';
    const list = isSeq(address.val.node) ? c.items(address.val, p, what) : [address.val];
    (list ?? []).forEach((a, i) => {
      const ap = isSeq(address.val.node) ? `${p}[${i}]` : p;
      const s = isScalar(a.node) && typeof a.node.value === 'string' ? a.node.value : undefined;
      if (s === undefined || !isCidr(s)) c.fail(a.pos, ap, `expected ${what}, got ${got(a.node)}`);
      else nic.addresses.push({ cidr: s, pos: a.pos });
    });
  }
  return nic;
}

function parseWires(c: Checker, v: Val, hosts: HostSpec[]): WireSpec[] {
  const nicsOf = new Map<string, Set<string>>();
  for (const h of hosts) if (!nicsOf.has(h.name)) nicsOf.set(h.name, new Set(h.nics.map((n) => n.name)));
  /** HOST:NIC → the wire it is on. */
  const plugged = new Map<string, number>();
  const wires: WireSpec[] = [];
  (c.items(v, 'wires', 'a list of wires') ?? []).forEach((w, i) => {
    const path = `wires[${i}]`;
    const entries = c.entries(w, path, "a map with key 'between'", WIRE_KEYS);
    if (!entries) return;
    const wire: WireSpec = defaultWire({ host: '', nic: '' }, { host: '', nic: '' }, w.pos);
    const posOf: NonNullable<WireSpec['posOf']> = {};
    wire.posOf = posOf;
    let ok = true;
    const get = (k: string) => entries.find((e) => e.key === k);

    const between = get('between');
    if (!between) {
      ok = false;
      c.fail(w.pos, path, "missing key 'between'");
    } else {
      const p = `${path}.between`;
      const ends = c.items(between.val, p, 'a list of two ends [HOST:NIC, HOST:NIC]');
      if (!ends) ok = false;
      else if (ends.length !== 2) {
        ok = false;
        c.fail(between.val.pos, p, `expected two ends HOST:NIC, got ${ends.length}`);
      } else {
        const seen: string[] = [];
        ends.forEach((end, j) => {
          const ep = `${p}[${j}]`;
          const s = isScalar(end.node) && typeof end.node.value === 'string' ? end.node.value : undefined;
          const m = s === undefined ? null : /^([^:\s]+):([^:\s]+)$/.exec(s);
          if (!m) {
            ok = false;
            c.fail(end.pos, ep, `expected HOST:NIC, got ${got(end.node)}`);
            return;
          }
          const [, hostName, nicName] = m;
          const nics = nicsOf.get(hostName);
          const id = `${hostName}:${nicName}`;
          const on = plugged.get(id);
          if (!nics) {
            ok = false;
            c.fail(end.pos, ep, `unknown host '${hostName}'`);
          } else if (!nics.has(nicName)) {
            ok = false;
            const list = nics.size ? `its NICs: ${[...nics].join(', ')}` : 'it has none';
            c.fail(end.pos, ep, `${hostName} has no NIC '${nicName}' (${list})`);
          } else if (seen.includes(id)) {
            ok = false;
            c.fail(end.pos, ep, `both ends are ${id}`);
          } else if (on !== undefined) {
            ok = false;
            c.fail(end.pos, ep, `${id} is already on wires[${on}]`);
          } else {
            seen.push(id);
            const side = j === 0 ? 'a' : 'b';
            wire[side] = { host: hostName, nic: nicName };
            posOf[side] = end.pos;
          }
        });
        if (ok) for (const id of seen) plugged.set(id, i);
      }
    }

    for (const key of ['delay', 'jitter'] as const) {
      const e = get(key);
      if (!e) continue;
      posOf[key] = e.val.pos;
      const t = c.text(e.val);
      const ns = t === undefined ? null : parseTcTime(t);
      if (ns === null)
        c.fail(
          e.val.pos,
          `${path}.${key}`,
          `expected a time like 10ms (s, ms, us, ns), got ${got(e.val.node)}`,
        );
      else wire[key] = ns;
    }
    for (const key of ['loss', 'corrupt', 'duplicate', 'reorder'] as const) {
      const e = get(key);
      if (!e) continue;
      posOf[key] = e.val.pos;
      const t = c.text(e.val);
      const pct = t === undefined ? null : parsePercent(t);
      if (pct === null)
        c.fail(e.val.pos, `${path}.${key}`, `expected a percentage from 0% to 100%, got ${got(e.val.node)}`);
      else wire[key] = pct;
    }
    const rate = get('rate');
    if (rate) {
      posOf.rate = rate.val.pos;
      const t = c.text(rate.val);
      const bits = t === undefined ? null : parseTcRate(t);
      if (bits === null || bits <= 0) {
        c.fail(
          rate.val.pos,
          `${path}.rate`,
          `expected a rate above 0 like 100mbit or 1gbit, got ${got(rate.val.node)}`,
        );
      } else wire.rate = bits;
    }
    const state = get('state');
    if (state) {
      posOf.up = state.val.pos;
      const s = isScalar(state.val.node) ? state.val.node.value : undefined;
      if (s !== 'up' && s !== 'down')
        c.fail(state.val.pos, `${path}.state`, `expected up or down, got ${got(state.val.node)}`);
      else wire.up = s === 'up';
    }
    if (ok) wires.push(wire);
  });
  return wires;
}

function describeReadError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'No such file or directory'
      : code === 'EISDIR'
        ? 'Is a directory'
        : code === 'EACCES'
          ? 'Permission denied'
          : (e as Error).message;
  return `skblab: ${path}: ${why}`;
}

/** Reads and parses a topology file; errors name the file as given. */
export function loadTopologyFile(path: string): TopologySpec | TopologyError {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { error: describeReadError(path, e) };
  }
  return parseTopology(text, path);
}
