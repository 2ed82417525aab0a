/**
 * RESP2, the protocol of Redis 7.0 (redis-server and redis-cli share it), and the string helpers of its sds
 * library: sdssplitargs (inline commands, redis-cli's lines), sdscatrepr (redis-cli's quoted strings) and
 * stringmatchlen (KEYS's glob). Strings are binary: Buffers, keys as latin1 strings (one char a byte).
 */

/** A parsed reply, as hiredis hands it to redis-cli. */
export type Reply =
  | { type: 'status'; str: string }
  | { type: 'error'; str: string }
  | { type: 'integer'; value: bigint }
  | { type: 'string'; buf: Buffer }
  | { type: 'nil' }
  | { type: 'array'; items: Reply[] };

export const CRLF = '\r\n';

/** A multibulk request (what redis-cli sends): `*N\r\n` then `$len\r\narg\r\n` per argument. */
export function encodeCommand(args: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from(CRLF));
  return Buffer.concat(parts);
}

/**
 * hiredis's reader: one complete reply from the front of `buf` and the bytes it used, null when more bytes
 * are needed, or a protocol error (the message hiredis sets).
 */
export function parseReply(buf: Buffer, at = 0): { reply: Reply; end: number } | null | { error: string } {
  if (at >= buf.length) return null;
  const nl = buf.indexOf('\r\n', at);
  if (nl < 0) return null;
  const line = buf.subarray(at + 1, nl).toString('latin1');
  const next = nl + 2;
  switch (String.fromCharCode(buf[at])) {
    case '+':
      return { reply: { type: 'status', str: line }, end: next };
    case '-':
      return { reply: { type: 'error', str: line }, end: next };
    case ':':
      if (!/^-?\d+$/.test(line)) return { error: 'Bad integer value' };
      return { reply: { type: 'integer', value: BigInt(line) }, end: next };
    case '$': {
      const n = Number(line);
      if (!/^-?\d+$/.test(line)) return { error: 'Bad bulk string length' };
      if (n < 0) return { reply: { type: 'nil' }, end: next };
      if (buf.length < next + n + 2) return null;
      return { reply: { type: 'string', buf: Buffer.from(buf.subarray(next, next + n)) }, end: next + n + 2 };
    }
    case '*': {
      if (!/^-?\d+$/.test(line)) return { error: 'Bad multi-bulk length' };
      const n = Number(line);
      if (n < 0) return { reply: { type: 'nil' }, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, end);
        if (r === null || 'error' in r) return r;
        items.push(r.reply);
        end = r.end;
      }
      return { reply: { type: 'array', items }, end };
    }
    default:
      return {
        error: `Protocol error, got ${JSON.stringify(String.fromCharCode(buf[at]))} as reply type byte`,
      };
  }
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/**
 * sdssplitargs(): a line split as a shell would, with "double quotes" (\n \r \t \b \a \\ \" and \xHH
 * escapes) and 'single quotes' (only \'); null for unbalanced quotes or a closing quote not followed by a
 * space.
 */
export function sdssplitargs(line: string): string[] | null {
  const out: string[] = [];
  let p = 0;
  for (;;) {
    while (p < line.length && /[ \n\r\t\f\v]/.test(line[p])) p++;
    if (p >= line.length) return out;
    let inq = false;
    let insq = false;
    let cur = '';
    for (;;) {
      const c = line[p];
      if (inq) {
        if (c === undefined) return null;
        if (c === '\\' && line[p + 1] === 'x' && isHex(line[p + 2] ?? '') && isHex(line[p + 3] ?? '')) {
          cur += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && p + 1 < line.length) {
          p++;
          const e = line[p];
          cur +=
            e === 'n'
              ? '\n'
              : e === 'r'
                ? '\r'
                : e === 't'
                  ? '\t'
                  : e === 'b'
                    ? '\b'
                    : e === 'a'
                      ? '\x07'
                      : e;
        } else if (c === '"') {
          // closing quote must be followed by a space or nothing at all
          if (p + 1 < line.length && !/[ \n\r\t\f\v]/.test(line[p + 1])) return null;
          inq = false;
          p++;
          break;
        } else cur += c;
      } else if (insq) {
        if (c === undefined) return null;
        if (c === '\\' && line[p + 1] === "'") {
          p++;
          cur += "'";
        } else if (c === "'") {
          if (p + 1 < line.length && !/[ \n\r\t\f\v]/.test(line[p + 1])) return null;
          insq = false;
          p++;
          break;
        } else cur += c;
      } else {
        if (c === undefined || /[ \n\r\t\f\v]/.test(c)) break;
        if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else cur += c;
      }
      p++;
    }
    out.push(cur);
  }
}

/** sdscatrepr(): a quoted, escaped string, as redis-cli prints a bulk reply to a terminal. */
export function sdscatrepr(b: Buffer): string {
  let s = '"';
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (ch === '\\' || ch === '"') s += '\\' + ch;
    else if (ch === '\n') s += '\\n';
    else if (ch === '\r') s += '\\r';
    else if (ch === '\t') s += '\\t';
    else if (c === 7) s += '\\a';
    else if (c === 8) s += '\\b';
    else if (c >= 0x20 && c < 0x7f) s += ch;
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + '"';
}

/** stringmatchlen(): Redis's glob (*, ?, [a-z], [^x], \ escapes), as KEYS matches names. */
export function stringmatch(pattern: string, str: string, nocase = false): boolean {
  const eq = (a: string, b: string) => (nocase ? a.toLowerCase() === b.toLowerCase() : a === b);
  // Redis 7.0.9's skipLongerMatches (CVE-2022-36021): once the rest of the pattern after a '*' matches
  // from nowhere in the rest of the string, no earlier '*' can make it match: stop, rather than try every
  // split (exponential in the stars).
  let skipLonger = false;
  const match = (p: number, s: number): boolean => {
    while (p < pattern.length && s <= str.length) {
      const c = pattern[p];
      if (c === '*') {
        while (pattern[p + 1] === '*') p++;
        if (p + 1 === pattern.length) return true;
        for (let k = s; k <= str.length; k++) {
          if (match(p + 1, k)) return true;
          if (skipLonger) return false;
        }
        skipLonger = true;
        return false;
      }
      if (s >= str.length) return false;
      if (c === '?') {
        s++;
      } else if (c === '[') {
        p++;
        const not = pattern[p] === '^';
        if (not) p++;
        let hit = false;
        for (;;) {
          if (pattern[p] === '\\' && p + 2 <= pattern.length) {
            p++;
            if (eq(pattern[p], str[s])) hit = true;
          } else if (pattern[p] === ']') break;
          else if (p >= pattern.length) {
            p--;
            break;
          } else if (pattern[p + 1] === '-' && p + 2 < pattern.length) {
            let lo = pattern[p];
            let hi = pattern[p + 2];
            if (lo > hi) [lo, hi] = [hi, lo];
            const ch = nocase ? str[s].toLowerCase() : str[s];
            if (ch >= lo && ch <= hi) hit = true;
            p += 2;
          } else if (eq(pattern[p], str[s])) hit = true;
          p++;
        }
        if (not) hit = !hit;
        if (!hit) return false;
        s++;
      } else {
        if (c === '\\' && p + 1 < pattern.length) p++;
        if (!eq(pattern[p], str[s])) return false;
        s++;
      }
      p++;
    }
    while (pattern[p] === '*') p++;
    return p === pattern.length && s === str.length;
  };
  return match(0, 0);
}

/** The reply encoders the server uses (addReply*). */
export const resp = {
  status: (s: string) => `+${s}\r\n`,
  error: (s: string) => `-${s}\r\n`,
  integer: (n: number | bigint) => `:${n}\r\n`,
  bulk: (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    return Buffer.concat([Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from(CRLF)]);
  },
  nil: '$-1\r\n',
  arrayHead: (n: number) => `*${n}\r\n`,
};
