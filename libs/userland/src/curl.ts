/**
 * curl 7.88.1 (Debian 12) for http:// URLs over the lab's TCP: `curl [-s] [-S] [-v] [-i] [-I] [-f] [-o FILE]
 * [-w FORMAT] [-m|--max-time SEC] [-X METHOD] [-H HEADER] [--path-as-is] URL...`. It sends curl's HTTP/1.1 request (Host,
 * User-Agent: curl/7.88.1, Accept: *\/*), reads the response by its Content-Length or to the end of the
 * connection, and prints what curl prints: the body (with -i the head too), -v's `*`, `>` and `<` lines,
 * the progress meter on stderr when standard output is not a terminal (lib/progress.c's columns, in
 * simulated time), `-w` variables, and its errors with their exit statuses (3, 6, 7, 18, 22, 23, 28, 52).
 * Not modelled: https and other protocols, redirects (-L), uploads, cookies, IPv6.
 */
import {
  AF_INET,
  ECONNREFUSED,
  EINPROGRESS,
  O_CREAT,
  O_TRUNC,
  O_WRONLY,
  SOCK_STREAM,
  STRERROR,
} from '@skblab/kernel';
import type { Task } from '@skblab/runtime';
import { ipv4ToString } from '@skblab/wire/address';
import { waitNet, type Command, type CommandContext } from './command';
import { expandLongOptions, getopt, type LongOption } from './getopt';
import { resolveHost } from './resolve';

const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";

const LONG: LongOption[] = [
  ['silent', 's', 0],
  ['show-error', 'S', 0],
  ['verbose', 'v', 0],
  ['include', 'i', 0],
  ['head', 'I', 0],
  ['fail', 'f', 0],
  ['output', 'o', 1],
  ['write-out', 'w', 1],
  ['max-time', 'm', 1],
  ['request', 'X', 1],
  ['header', 'H', 1],
  ['url', '\x01', 1],
  ['path-as-is', '\x02', 0],
];
const SHORTS = 'sSviIfo:w:m:X:H:';

interface Options {
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  include: boolean;
  head: boolean;
  fail: boolean;
  output: string | null;
  writeOut: string | null;
  maxTimeNs: number;
  method: string | null;
  headers: string[];
  pathAsIs: boolean;
}

/** max5data: a count in five characters (k, M, G... past 99999, as lib/progress.c shortens it). */
function max5(n: number): string {
  const K = 1024;
  const M = K * K;
  const G = M * K;
  const T = G * K;
  if (n < 100000) return String(n).padStart(5);
  if (n < 10000 * K) return `${String(Math.floor(n / K)).padStart(4)}k`;
  if (n < 100 * M) return `${String(Math.floor(n / M)).padStart(2)}.${Math.floor((n % M) / (M / 10))}M`;
  if (n < 10000 * M) return `${String(Math.floor(n / M)).padStart(4)}M`;
  if (n < 100 * G) return `${String(Math.floor(n / G)).padStart(2)}.${Math.floor((n % G) / (G / 10))}G`;
  if (n < 10000 * G) return `${String(Math.floor(n / G)).padStart(4)}G`;
  return `${String(Math.floor(n / T)).padStart(4)}T`;
}

/** time2str: HH:MM:SS for up to 99 hours, then days; "--:--:--" for nothing. */
function time2str(sec: number): string {
  if (sec <= 0) return '--:--:--';
  const h = Math.floor(sec / 3600);
  if (h <= 99) {
    const m = Math.floor((sec - h * 3600) / 60);
    const s = sec - h * 3600 - m * 60;
    return `${String(h).padStart(2)}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  }
  const d = Math.floor(sec / 86400);
  const hh = Math.floor((sec - d * 86400) / 3600);
  return d <= 999 ? `${String(d).padStart(3)}d ${String(hh).padStart(2, '0')}h` : `${String(d).padStart(7)}d`;
}

/** trspeed: bytes per second over `us` microseconds (as if 1 µs had passed when none did). */
const trspeed = (size: number, us: number) => (us < 1 ? size * 1e6 : Math.floor((size * 1e6) / us));

/**
 * The default progress meter (progress_meter, progress_calc): a header, then a line when the second of the
 * clock changes and one when the transfer is done; the current speed from the samples of each shown second.
 */
class Meter {
  private headerOut = false;
  private lastshow = -1;
  private samples: Array<[number, number]> = [];
  private currentSpeed = 0;
  downloaded = 0;
  sizeDl: number | null = null;

  constructor(
    private readonly ctx: CommandContext,
    private readonly start: number,
    private readonly hidden: boolean,
  ) {}

  update(force = false): void {
    if (this.hidden) return;
    const now = this.ctx.lab.now();
    const us = Math.floor((now - this.start) / 1000);
    const dlspeed = trspeed(this.downloaded, us);
    const sec = Math.floor(now / 1e9);
    if (force) this.lastshow = -1;
    if (this.lastshow === sec) return;
    this.lastshow = sec;
    this.samples.push([now, this.downloaded]);
    if (this.samples.length > 6) this.samples.shift();
    if (this.samples.length > 1) {
      const [t0, b0] = this.samples[0];
      const spanMs = Math.floor((now - t0) / 1e6) || 1;
      this.currentSpeed = Math.floor(((this.downloaded - b0) * 1000) / spanMs);
    } else this.currentSpeed = dlspeed;
    let out = '';
    if (!this.headerOut) {
      out +=
        '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
        '                                 Dload  Upload   Total   Spent    Left  Speed\n';
      this.headerOut = true;
    }
    const known = this.sizeDl !== null && dlspeed > 0;
    const size = this.sizeDl ?? 0;
    const pct = (done: number, total: number) =>
      total > 10000
        ? Math.floor(done / Math.floor(total / 100))
        : total > 0
          ? Math.floor((done * 100) / total)
          : 0;
    const dlpercen = known ? pct(this.downloaded, size) : 0;
    const estimate = known ? Math.floor(size / dlspeed) : 0;
    const spent = Math.floor(us / 1e6);
    const expected = this.sizeDl !== null ? this.sizeDl : this.downloaded;
    out +=
      `\r${String(pct(this.downloaded, expected)).padStart(3)} ${max5(expected)}  ` +
      `${String(dlpercen).padStart(3)} ${max5(this.downloaded)}  ${'0'.padStart(3)} ${max5(0)}  ` +
      `${max5(dlspeed)}  ${max5(0)} ${time2str(estimate)} ${time2str(spent)} ` +
      `${time2str(estimate > 0 ? estimate - spent : 0)} ${max5(this.currentSpeed)}`;
    this.ctx.err(out);
  }

  /** Curl_pgrsDone: the last line, then a newline. */
  done(): void {
    if (this.hidden) return;
    this.update(true);
    this.ctx.err('\n');
  }
}

/** RFC 3986's remove_dot_segments on the path (the query left alone), as curl's URL parser does. */
function removeDotSegments(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  const out: string[] = [];
  const segs = path.split('/').slice(1);
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else out.push(seg);
  });
  return '/' + out.join('/') + (q >= 0 ? pathAndQuery.slice(q) : '');
}

interface Url {
  host: string;
  port: number;
  path: string;
  /** What -w's url_effective prints (with the scheme curl assumed). */
  effective: string;
}

/** The URL as curl's parser takes it: http:// assumed, [host][:port][/path]; an error's exit code otherwise. */
function parseUrl(raw: string, pathAsIs: boolean): Url | { code: number; msg: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  const scheme = m ? m[1].toLowerCase() : 'http';
  if (scheme !== 'http') {
    if (scheme === 'https') return { code: 1, msg: 'https: not modelled in this lab (no TLS)' };
    return { code: 1, msg: `Protocol "${m![1]}" not supported or disabled in libcurl` };
  }
  const rest = m ? raw.slice(m[0].length) : raw;
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let path = slash < 0 ? '/' : rest.slice(slash);
  if (path.startsWith('?')) path = '/' + path;
  path = path.replace(/#.*$/, '');
  const hp = /^(?:[^@]*@)?([^:]*)(?::(\d*))?$/.exec(authority);
  if (!hp || !hp[1]) return { code: 3, msg: 'URL using bad/illegal format or missing URL' };
  const port = hp[2] ? Number(hp[2]) : 80;
  if (hp[2] !== undefined && hp[2] !== '' && (port > 65535 || port < 1))
    return { code: 3, msg: 'URL using bad/illegal format or missing URL' };
  const hostPort = hp[2] ? `${hp[1]}:${hp[2]}` : hp[1];
  if (!pathAsIs) path = removeDotSegments(path);
  return { host: hp[1], port, path, effective: `http://${hostPort}${slash < 0 ? '/' : rest.slice(slash)}` };
}

interface Result {
  code: number;
  msg: string | null;
  httpCode: number;
  sizeDownload: number;
  sizeHeader: number;
  contentType: string | null;
  remoteIp: string;
  remotePort: number;
  connects: number;
  timeNs: number;
  effective: string;
}

/** -w's text: %{variable}s and the \n \r \t escapes; unknown variables are said on stderr. */
function writeOut(ctx: CommandContext, fmt: string, r: Result): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === '%' && fmt[i + 1] === '%') {
      out += '%';
      i++;
    } else if (c === '%' && fmt[i + 1] === '{') {
      const end = fmt.indexOf('}', i);
      if (end < 0) {
        out += c;
        continue;
      }
      const name = fmt.slice(i + 2, end);
      i = end;
      const v: Record<string, string> = {
        http_code: String(r.httpCode).padStart(3, '0'),
        response_code: String(r.httpCode).padStart(3, '0'),
        size_download: String(r.sizeDownload),
        size_header: String(r.sizeHeader),
        content_type: r.contentType ?? '',
        url_effective: r.effective,
        exitcode: String(r.code),
        errormsg: r.msg ?? '',
        num_connects: String(r.connects),
        remote_ip: r.remoteIp,
        remote_port: r.remotePort ? String(r.remotePort) : '',
        time_total: (r.timeNs / 1e9).toFixed(6),
      };
      if (name in v) out += v[name];
      else ctx.err(`curl: unknown --write-out variable: '${name}'\n`);
    } else if (c === '\\' && 'nrt\\'.includes(fmt[i + 1] ?? '')) {
      out += { n: '\n', r: '\r', t: '\t', '\\': '\\' }[fmt[i + 1] as 'n' | 'r' | 't' | '\\'];
      i++;
    } else out += c;
  }
  return out;
}

/** One URL's transfer: what goes to stdout (buffered, as stdio does) and its Result. */
async function transfer(
  ctx: CommandContext,
  task: Task,
  o: Options,
  raw: string,
  output: string | null,
  stdout: { text: string },
): Promise<Result> {
  const start = ctx.lab.now();
  const verbose = (s: string) => o.verbose && ctx.err(s);
  // The meter is off with -s, and when the body goes to a terminal.
  const meter = new Meter(ctx, start, o.silent || (ctx.tty === true && output === null));
  const r: Result = {
    code: 0,
    msg: null,
    httpCode: 0,
    sizeDownload: 0,
    sizeHeader: 0,
    contentType: null,
    remoteIp: '',
    remotePort: 0,
    connects: 0,
    timeNs: 0,
    effective: raw,
  };
  const fail = (code: number, msg: string) => {
    r.code = code;
    r.msg = msg;
    r.timeNs = ctx.lab.now() - start;
    return r;
  };
  const u = parseUrl(raw, o.pathAsIs);
  if ('code' in u) return fail(u.code, u.msg);
  r.effective = u.effective;
  meter.update();
  const addr = resolveHost(ctx.lab, u.host);
  if (addr === null) {
    meter.done();
    return fail(6, `Could not resolve host: ${u.host}`);
  }
  const ip = ipv4ToString(addr);
  verbose(`*   Trying ${ip}:${u.port}...\n`);
  const deadline = o.maxTimeNs ? start + o.maxTimeNs : Infinity;
  const ms = () => Math.floor((ctx.lab.now() - start) / 1e6);
  const fd = task.socket(AF_INET, SOCK_STREAM, 0);
  // Curl's connect timeout is the -m one, else 300 s (DEFAULT_CONNECT_TIMEOUT).
  const rc = await task.connectWait(fd, addr, u.port, Math.min(deadline, start + 300e9));
  if (rc === -EINPROGRESS) {
    meter.done();
    verbose('* Closing connection 0\n');
    task.close(fd);
    return fail(28, `Connection timed out after ${ms()} milliseconds`);
  }
  if (rc < 0) {
    task.close(fd);
    if (ctx.job.stopped) return fail(130, 'interrupted');
    const why = rc === -ECONNREFUSED ? 'Connection refused' : STRERROR[-rc];
    verbose(`* connect to ${ip} port ${u.port} failed: ${why}\n`);
    const msg = `Failed to connect to ${u.host} port ${u.port} after ${ms()} ms: Couldn't connect to server`;
    verbose(`* ${msg}\n`);
    meter.done();
    verbose('* Closing connection 0\n');
    return fail(7, msg);
  }
  r.connects = 1;
  r.remoteIp = ip;
  r.remotePort = u.port;
  verbose(`* Connected to ${u.host} (${ip}) port ${u.port} (#0)\n`);
  const method = o.method ?? (o.head ? 'HEAD' : 'GET');
  // Curl's own headers, each replaced by a -H of the same name (an empty value removes it).
  const own: Array<[string, string]> = [
    ['Host', u.port === 80 ? u.host : `${u.host}:${u.port}`],
    ['User-Agent', 'curl/7.88.1'],
    ['Accept', '*/*'],
  ];
  const extra: string[] = [];
  for (const h of o.headers) {
    const colon = h.indexOf(':');
    if (colon < 0) continue;
    const name = h.slice(0, colon);
    const i = own.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    const value = h.slice(colon + 1).trim();
    if (i >= 0) {
      if (value) own[i] = [own[i][0], value];
      else own.splice(i, 1);
    } else if (value) extra.push(`${name}: ${value}`);
  }
  const lines = [`${method} ${u.path} HTTP/1.1`, ...own.map(([n, v]) => `${n}: ${v}`), ...extra, ''];
  const request = lines.map((l) => l + '\r\n').join('');
  for (const l of lines) verbose(`> ${l}\r\n`);
  await task.send(fd, Buffer.from(request, 'latin1'));

  // The response: the head, then the body by Content-Length, or to the end of the connection.
  let buf = Buffer.alloc(0);
  let head: string[] | null = null;
  let length: number | null = null;
  let body = 0;
  let outFd = -1;
  const emit = (data: Buffer): string | null => {
    if (output === null) {
      stdout.text += data.toString('latin1');
      return null;
    }
    // The output file is made when the first bytes come (tool_create_output_file).
    if (outFd < 0) outFd = task.open(output, O_WRONLY | O_CREAT | O_TRUNC);
    if (outFd < 0) return 'Failure writing output to destination';
    task.writeFile(outFd, data);
    return null;
  };
  const finish = (code: number, msg: string | null) => {
    task.close(fd);
    if (outFd >= 0) task.close(outFd);
    r.sizeDownload = body;
    meter.done();
    verbose('* Closing connection 0\n');
    r.timeNs = ctx.lab.now() - start;
    if (code) return fail(code, msg!);
    return r;
  };
  for (;;) {
    const w = await waitNet(ctx.job, task, fd, deadline);
    if (w === 'stopped') return finish(130, 'interrupted');
    if (w === 'timeout') {
      const got = length !== null ? `${body} out of ${length}` : `${body}`;
      return finish(28, `Operation timed out after ${ms()} milliseconds with ${got} bytes received`);
    }
    const got = task.tryRecv(fd, 102400);
    const data = typeof got === 'number' ? null : Buffer.from(got.data);
    if (typeof got === 'number' && got !== -11) {
      return finish(56, `Recv failure: ${STRERROR[-got]}`);
    }
    if (!data) continue;
    const closed = data.length === 0;
    buf = Buffer.concat([buf, data]);
    if (head === null) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (!closed) continue;
        if (!buf.length) return finish(52, 'Empty reply from server');
        return finish(1, 'Received HTTP/0.9 when not allowed');
      }
      const text = buf.subarray(0, end + 4).toString('latin1');
      buf = buf.subarray(end + 4);
      head = text.split('\r\n').slice(0, -2);
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head[0]);
      if (!status) return finish(1, 'Received HTTP/0.9 when not allowed');
      r.httpCode = Number(status[1]);
      r.sizeHeader = text.length;
      for (const l of head) {
        verbose(`< ${l}\r\n`);
        const [n, ...v] = l.split(':');
        if (/^content-length$/i.test(n)) length = Number(v.join(':').trim());
        if (/^content-type$/i.test(n)) r.contentType = v.join(':').trim();
      }
      verbose('< \r\n');
      if (o.fail && r.httpCode >= 400) return finish(22, `The requested URL returned error: ${r.httpCode}`);
      if (o.include || o.head) {
        const e = emit(Buffer.from(text, 'latin1'));
        if (e) return finish(23, e);
      }
      // A HEAD, a 204 or a 304 has no body, whatever its Content-Length says.
      if (method === 'HEAD' || r.httpCode === 204 || r.httpCode === 304) return finish(0, null);
      meter.sizeDl = length;
    }
    if (buf.length) {
      const take = length !== null ? buf.subarray(0, length - body) : buf;
      buf = Buffer.alloc(0);
      if (take.length) {
        // -v says how much body came when it does not go to a terminal.
        if (!ctx.tty || output !== null) verbose(`{ [${take.length} bytes data]\n`);
        body += take.length;
        meter.downloaded = body;
        const e = emit(take);
        if (e) return finish(23, e);
        meter.update();
      }
    }
    if (length !== null && body >= length) return finish(0, null);
    if (closed) {
      if (length !== null) return finish(18, `transfer closed with ${length - body} bytes remaining to read`);
      return finish(0, null);
    }
  }
}

export const curl: Command = async (ctx) => {
  const expanded = expandLongOptions('curl', ctx.argv.slice(1), LONG, SHORTS);
  if (typeof expanded === 'string') {
    const m = /option '(--[^'=]*)/.exec(expanded);
    ctx.err(`curl: option ${m ? m[1] : expanded}: is unknown\n${TRY}`);
    return 2;
  }
  const g = getopt(expanded, SHORTS + '\x01:\x02', 'curl');
  if (g.error) {
    const m = /-- '(.)'/.exec(g.error);
    const missing = g.error.includes('requires');
    ctx.err(`curl: option -${m?.[1]}: ${missing ? 'requires parameter' : 'is unknown'}\n${TRY}`);
    return 2;
  }
  const o: Options = {
    silent: false,
    showError: false,
    verbose: false,
    include: false,
    head: false,
    fail: false,
    output: null,
    writeOut: null,
    maxTimeNs: 0,
    method: null,
    headers: [],
    pathAsIs: false,
  };
  const urls = [...g.operands];
  for (const [c, v] of g.opts) {
    if (c === 's') o.silent = true;
    else if (c === 'S') o.showError = true;
    else if (c === 'v') o.verbose = true;
    else if (c === 'i') o.include = true;
    else if (c === 'I') o.head = true;
    else if (c === 'f') o.fail = true;
    else if (c === 'o') o.output = v;
    else if (c === 'w') o.writeOut = v;
    else if (c === 'X') o.method = v;
    else if (c === 'H') o.headers.push(v!);
    else if (c === '\x01') urls.push(v!);
    else if (c === '\x02') o.pathAsIs = true;
    else if (c === 'm') {
      const n = /^\d+(\.\d+)?$|^\.\d+$/.test(v!) ? Number(v) : NaN;
      if (Number.isNaN(n)) {
        const long = ctx.argv.some((a) => a.startsWith('--max-time') || a.startsWith('--max'));
        ctx.err(`curl: option ${long ? '--max-time' : '-m'}: expected a proper numerical parameter\n${TRY}`);
        return 2;
      }
      o.maxTimeNs = Math.round(n * 1e9);
    }
  }
  if (!urls.length) {
    ctx.err(TRY);
    return 2;
  }
  const task = ctx.task('curl');
  ctx.job.onStop.push(() => task.interrupt());
  const stdout = { text: '' };
  let status = 0;
  try {
    for (let i = 0; i < urls.length; i++) {
      // -o belongs to the first URL, as each -o takes the next URL without one.
      const r = await transfer(ctx, task, o, urls[i], i === 0 ? o.output : null, stdout);
      if (r.code === 130) return 130;
      if (r.code && (!o.silent || o.showError)) ctx.err(`curl: (${r.code}) ${r.msg}\n`);
      if (o.writeOut !== null) stdout.text += writeOut(ctx, o.writeOut, r);
      status = r.code;
    }
  } finally {
    task.closeAll();
    // stdio's buffer reaches the output when curl exits.
    if (stdout.text) ctx.out(stdout.text);
  }
  return status;
};
