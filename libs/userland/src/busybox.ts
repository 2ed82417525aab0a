/**
 * busybox (1.36) with its one applet the lab models, httpd (networking/httpd.c): `busybox httpd -f -p
 * [IP:]PORT -h DIR` serves the host's files over the lab's TCP as mini_httpd does: a listener (SO_REUSEADDR,
 * backlog 9), a child per connection (SO_KEEPALIVE) that reads the request line and headers, answers
 * HTTP/1.1 with `Connection: close` (send_headers: Date, Content-type, Accept-Ranges, Last-Modified, ETag,
 * Content-Length), sends the file with sendfile(2), then shuts its side down (log_and_exit). GET and HEAD;
 * index.html for a directory URL, 302 to `dir/` for a directory without its slash, 404/400/501 pages, ETag
 * and If-None-Match (304), `Range: bytes=` (206). Without -f it daemonizes: the shell gets its prompt back
 * and the server keeps serving. Not modelled: CGI, httpd.conf (-c), basic auth, -i (inetd), gzip, the 60 s
 * header timeout (408).
 */
import {
  AF_INET,
  O_RDONLY,
  S_ISDIR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_KEEPALIVE,
  SO_REUSEADDR,
  STRERROR,
  kern_path,
  type Inode,
} from '@skblab/kernel';
import { SHUT_WR, type Task } from '@skblab/runtime';
import { ipv4ToString } from '@skblab/wire/address';
import type { Command, CommandContext } from './command';
import { strerror } from './fileutils';
import { getopt } from './getopt';
import { inet_aton } from './libc';

const HTTP_RESPONSES: Record<number, [string, string | null]> = {
  200: ['OK', null],
  206: ['Partial Content', null],
  302: ['Found', null],
  304: ['Not Modified', null],
  408: ['Request Timeout', 'No request appeared within 60 seconds'],
  501: ['Not Implemented', 'The requested method is not recognized'],
  404: ['Not Found', 'The requested URL was not found'],
  400: ['Bad Request', 'Unsupported method'],
  403: ['Forbidden', ''],
  500: ['Internal Server Error', 'Internal Server Error'],
  413: ['Entity Too Large', 'Entity Too Large'],
};

/** send_file_and_exit's suffixTable: shorter suffixes first, searched with strstr as busybox does. */
const SUFFIX_TABLE: Array<[string, string]> = [
  ['.txt.h.c.cc.cpp', 'text/plain'],
  ['.htm.html', 'text/html'],
  ['.jpg.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.png', 'image/png'],
  ['.svg', 'image/svg+xml'],
  ['.css', 'text/css'],
  ['.js', 'application/javascript'],
  ['.wav', 'audio/wav'],
  ['.avi', 'video/x-msvideo'],
  ['.qt.mov', 'video/quicktime'],
  ['.mpe.mpeg', 'video/mpeg'],
  ['.mid.midi', 'audio/midi'],
  ['.mp3', 'audio/mpeg'],
];

/** The MIME type of a URL by its last suffix, or null (then no Content-type is sent for a 200). */
export function mimeType(url: string): string | null {
  const dot = url.lastIndexOf('.');
  if (dot < 0) return null;
  const suffix = url.slice(dot);
  for (const [table, type] of SUFFIX_TABLE) {
    const at = table.indexOf(suffix);
    if (at < 0) continue;
    const after = table[at + suffix.length];
    // A partial hit (".av" in ".avi") ends the search: the table is ordered so nothing later can match.
    return after === undefined || after === '.' ? type : null;
  }
  return null;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime's RFC1123FMT "%a, %d %b %Y %H:%M:%S GMT" of a CLOCK_REALTIME second. */
export function rfc1123(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`
  );
}

/** percent_decode_in_place(strict): null on a bad escape (400). */
function percentDecode(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i];
      continue;
    }
    const h = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
    const c = parseInt(h, 16);
    if (c === 0) return null;
    out += String.fromCharCode(c);
    i += 2;
  }
  return out;
}

/**
 * handle_incoming_and_exit's canonicalisation (bb_simplify_path that keeps a trailing slash): duplicate
 * slashes and "/./" go, ".." removes the previous component; null if it climbs above the root (400).
 */
function canonicalize(url: string): string | null {
  const parts: string[] = [];
  const comps = url.split('/').slice(1);
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i];
    const last = i === comps.length - 1;
    if (c === '..') {
      if (!parts.length) return null;
      parts.pop();
      if (last) parts.push('');
    } else if (c === '.' || (c === '' && !last)) {
      if (last) parts.push('');
    } else parts.push(c);
  }
  return '/' + parts.join('/');
}

interface Server {
  home: string;
  verbose: number;
}

/** One connection, as the forked child handles it (stdin and stdout are the socket). */
async function handleConnection(
  ctx: CommandContext,
  srv: Server,
  task: Task,
  fd: number,
  peer: string,
): Promise<void> {
  const enc = (s: string) => Buffer.from(s, 'latin1');
  let buf = Buffer.alloc(0);
  let eof = false;
  // get_line: a line without its \r, or null at EOF before any byte (the reads fill an 8 KiB iobuf).
  const getLine = async (): Promise<string | null> => {
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) {
        const line = buf.subarray(0, nl).toString('latin1').replace(/\r/g, '');
        buf = buf.subarray(nl + 1);
        return line;
      }
      if (eof) {
        if (!buf.length) return null;
        const line = buf.toString('latin1').replace(/\r/g, '');
        buf = Buffer.alloc(0);
        return line;
      }
      const r = await task.recv(fd, 8192);
      if (typeof r === 'number' || !r.length) eof = true;
      else buf = Buffer.concat([buf, r]);
    }
  };
  const log = (s: string) => ctx.err(`${peer}: ${s}\n`);
  const send = async (data: Uint8Array) => void (await task.send(fd, data));
  const finish = () => {
    // log_and_exit: SHUT_WR, then the child exits (its socket closes).
    task.shutdown(fd, SHUT_WR);
    task.close(fd);
  };

  /** send_headers: the whole head (and an error's page) in one write. */
  const headers = (code: number, o: { mime?: string | null; location?: string; file?: FileInfo } = {}) => {
    const [name, info] = HTTP_RESPONSES[code];
    if (srv.verbose) log(`response:${code}`);
    let h = `HTTP/1.1 ${code} ${name}\r\nDate: ${rfc1123(Math.floor(ctx.lab.now() / 1e9))}\r\nConnection: close\r\n`;
    if (code !== 200 || o.mime) h += `Content-type: ${code !== 200 ? 'text/html' : o.mime}\r\n`;
    if (o.location !== undefined) h += `Location: ${o.location}\r\n`;
    if (o.file) {
      if (o.file.range) h += `Content-Range: bytes ${o.file.range[0]}-${o.file.range[1]}/${o.file.size}\r\n`;
      h += `Accept-Ranges: bytes\r\nLast-Modified: ${rfc1123(o.file.mtime)}\r\nETag: ${o.file.etag}\r\n`;
      h += `Content-Length: ${o.file.range ? o.file.range[1] - o.file.range[0] + 1 : o.file.size}\r\n`;
    }
    h += '\r\n';
    if (info !== null) {
      h += `<HTML><HEAD><TITLE>${code} ${name}</TITLE></HEAD>\n<BODY><H1>${code} ${name}</H1>\n${info}\n</BODY></HTML>\n`;
    }
    return enc(h);
  };
  const headersAndExit = async (code: number) => {
    await send(headers(code));
    finish();
  };

  const first = await getLine();
  if (first === null || first === '') return void task.close(fd);
  const sp = first.indexOf(' ');
  if (sp < 0) return headersAndExit(400);
  const method = first.slice(0, sp);
  let urlp = first.slice(sp + 1);
  if (urlp[0] !== '/') return headersAndExit(400);
  const sp2 = urlp.indexOf(' ');
  if (sp2 < 0 || !urlp.slice(sp2 + 1).startsWith('HTTP/')) return headersAndExit(400);
  urlp = urlp.slice(0, sp2);
  const m = method.toUpperCase();
  // POST and the rest would go to a CGI; without one they end in 501 once the headers are read.
  const q = urlp.indexOf('?');
  const query = q >= 0 ? urlp.slice(q + 1) : null;
  const decoded = percentDecode(q >= 0 ? urlp.slice(0, q) : urlp);
  if (decoded === null) return headersAndExit(400);
  const url = canonicalize(decoded);
  if (url === null) return headersAndExit(400);
  if (srv.verbose > 1) log(`url:${url}`);
  const dirUrl = url.endsWith('/');
  let path = srv.home.replace(/\/+$/, '') + url;
  if (dirUrl) path += 'index.html';
  const inode = kern_path(ctx.host.fs, path);
  let moved: string | null = null;
  if (typeof inode !== 'number') {
    if (!dirUrl && S_ISDIR(inode.mode)) moved = url;
  } else if (dirUrl) return headersAndExit(404);

  // Read until the blank line.
  let ifNoneMatch: string | null = null;
  let range: [number, number | null] | null = null;
  let total = 0;
  for (;;) {
    const line = await getLine();
    if (!line) break;
    total += line.length;
    if (total >= 8 * 1024) return headersAndExit(413);
    const lower = line.toLowerCase();
    if (lower.startsWith('if-none-match:')) ifNoneMatch = line.slice(14).trimStart();
    else if (lower.startsWith('range:')) {
      const r = /^bytes=(\d+)-(\d*)/.exec(line.slice(6).trimStart());
      if (r) {
        const end = r[2] ? Number(r[2]) : null;
        range = end !== null && end < Number(r[1]) ? null : [Number(r[1]), end];
      }
    }
  }
  if (moved !== null) {
    await send(headers(302, { location: `${moved}/${query !== null ? '?' + query : ''}` }));
    return finish();
  }
  if (m !== 'GET' && m !== 'HEAD') return headersAndExit(501);

  // send_file_and_exit
  const ffd = task.open(path, O_RDONLY);
  if (ffd < 0 || typeof inode === 'number' || S_ISDIR(inode.mode)) {
    if (ffd >= 0) task.close(ffd);
    return headersAndExit(404);
  }
  const file = fileInfo(inode);
  if (ifNoneMatch !== null && ifNoneMatch.includes(file.etag)) {
    task.close(ffd);
    return headersAndExit(304);
  }
  let offset = 0;
  let count = file.size;
  let code = 200;
  if (range && m === 'GET') {
    const end = range[1] === null || range[1] > file.size - 1 ? file.size - 1 : range[1];
    if (end >= range[0]) {
      file.range = [range[0], end];
      offset = range[0];
      count = end - range[0] + 1;
      code = 206;
    }
  }
  await send(headers(code, { mime: mimeType(url + (dirUrl ? 'index.html' : '')), file }));
  if (m === 'GET' && count > 0) await task.sendfile(fd, ffd, { v: offset }, count);
  task.close(ffd);
  finish();
}

interface FileInfo {
  size: number;
  mtime: number;
  etag: string;
  range?: [number, number];
}

/** stat's st_size and st_mtime, and the ETag "hex(last_mod)-hex(file_size)". */
function fileInfo(inode: Inode): FileInfo {
  const mtime = Math.floor((inode.mtime ?? 0) / 1e9);
  return { size: inode.size, mtime, etag: `"${mtime.toString(16)}-${inode.size.toString(16)}"` };
}

const HTTPD_USAGE =
  'BusyBox v1.36.1 (Debian 1:1.36.1-9) multi-call binary.\n\n' +
  'Usage: httpd [-ifv[v]] [-c CONFFILE] [-p [IP:]PORT] [-u USER[:GRP]] [-r REALM] [-h HOME]\n' +
  'or httpd -d/-e/-m STRING\n\n' +
  'Listen for incoming HTTP requests\n\n' +
  '\t-i\t\tInetd mode\n' +
  '\t-f\t\tRun in foreground\n' +
  '\t-v[v]\t\tVerbose\n' +
  '\t-p [IP:]PORT\tBind to IP:PORT (default *:80)\n' +
  '\t-u USER[:GRP]\tSet uid/gid after binding to port\n' +
  '\t-r REALM\tAuthentication Realm for Basic Authentication\n' +
  '\t-h HOME\t\tHome directory (default .)\n' +
  '\t-c FILE\t\tConfiguration file (default {/etc,HOME}/httpd.conf)\n' +
  '\t-m STRING\tMD5 crypt STRING\n' +
  '\t-e STRING\tHTML encode STRING\n' +
  '\t-d STRING\tURL decode STRING\n';

async function httpd(ctx: CommandContext, argv: string[]): Promise<number> {
  const g = getopt(argv.slice(1), 'c:d:h:e:r:m:u:p:ifv', 'httpd');
  if (g.error) {
    ctx.err(`${g.error}\n${HTTPD_USAGE}`);
    return 1;
  }
  let home = '/';
  let bind = '80';
  let foreground = false;
  let verbose = 0;
  for (const [c, v] of g.opts) {
    if (c === 'h') home = v!;
    else if (c === 'p') bind = v!;
    else if (c === 'f') foreground = true;
    else if (c === 'v') verbose++;
    else if (c === 'd') {
      ctx.out(percentDecode(v!) ?? v!);
      return 0;
    } else {
      ctx.err(`httpd: -${c}: not modelled in this lab\n`);
      return 1;
    }
  }
  // xchdir(home_httpd)
  const dir = kern_path(ctx.host.fs, home);
  if (typeof dir === 'number' || !S_ISDIR(dir.mode)) {
    const e = typeof dir === 'number' ? strerror(dir) : 'Not a directory';
    ctx.err(`httpd: can't change directory to '${home}': ${e}\n`);
    return 1;
  }
  // openServer: a bare number is a port on every address, else [IP:]PORT (80 when only an IP is given).
  let addr = 0;
  let port: number;
  if (/^\d+$/.test(bind) && Number(bind) > 0 && Number(bind) <= 0xffff) port = Number(bind);
  else {
    const colon = bind.lastIndexOf(':');
    const host = colon >= 0 ? bind.slice(0, colon) : bind;
    const p = colon >= 0 ? bind.slice(colon + 1) : '80';
    const a = inet_aton(host);
    if (a === null || !/^\d+$/.test(p) || Number(p) > 0xffff) {
      ctx.err(`httpd: bad address '${bind}'\n`);
      return 1;
    }
    addr = a;
    port = Number(p);
  }
  const task = ctx.task('busybox');
  const fd = task.socket(AF_INET, SOCK_STREAM, 0);
  task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  const rc = task.bind(fd, addr, port);
  if (rc < 0) {
    task.closeAll();
    ctx.err(`httpd: bind: ${STRERROR[-rc]}\n`);
    return 1;
  }
  task.listen(fd, 9);
  const srv: Server = { home, verbose };
  const serve = async (): Promise<number> => {
    for (;;) {
      const a = await task.accept(fd);
      // A signal (the job stopped) ends the server; mini_httpd retries anything else, which the lab has not.
      if (typeof a === 'number') break;
      task.setsockoptLevel(a.fd, SOL_SOCKET, SO_KEEPALIVE, 1);
      // fork(): the child serves the connection while the parent accepts the next.
      void handleConnection(ctx, srv, task, a.fd, `${ipv4ToString(a.addr)}:${a.port}`);
    }
    task.closeAll();
    // Killed by SIGINT, as the shell reports it: 128 + 2.
    return 130;
  };
  if (!foreground) {
    // bb_daemonize: the parent exits 0 and the daemon, no longer the shell's job, serves on.
    void serve();
    return 0;
  }
  ctx.job.onStop.push(() => task.interrupt());
  return serve();
}

const APPLETS: Record<string, (ctx: CommandContext, argv: string[]) => Promise<number>> = { httpd };

export const busybox: Command = async (ctx) => {
  const [, applet, ...rest] = ctx.argv;
  if (applet === undefined) {
    ctx.out(
      'BusyBox v1.36.1 (Debian 1:1.36.1-9) multi-call binary.\n' +
        'BusyBox is copyrighted by many authors between 1998-2015.\n' +
        'Licensed under GPLv2. See source distribution for detailed\n' +
        'copyright notices.\n\n' +
        'Usage: busybox [function [arguments]...]\n' +
        '   or: busybox --list[-full]\n' +
        '   or: busybox --show SCRIPT\n' +
        '   or: busybox --install [-s] [DIR]\n' +
        '   or: function [arguments]...\n\n' +
        '\tBusyBox is a multi-call binary that combines many common Unix\n' +
        '\tutilities into a single executable.  The shell in this lab models one:\n\n' +
        'Currently defined functions:\n\thttpd\n',
    );
    return 0;
  }
  if (applet === '--list') {
    ctx.out('httpd\n');
    return 0;
  }
  const run = APPLETS[applet];
  if (!run) {
    ctx.err(`${applet}: applet not found\n`);
    return 127;
  }
  return run(ctx, [applet, ...rest]);
};
