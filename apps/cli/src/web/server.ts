/**
 * The web console's server: the page and its bundle (dist/web-console, built by tools/build.js), a JSON
 * API over the lab, and terminals on the lab's shell over WebSockets.
 *
 *   GET /api/topology          hosts, namespaces, devices, wires, addresses
 *   GET /api/journeys?since=N  the journeys begun after journey N, each skb's steps in the kernel's order
 *   GET /api/commands          the command lines the terminals ran: journeys begun, counters moved
 *   GET /api/counters          /proc/net/snmp, ip -s link, softnet_stat; and what the last command moved
 *   GET /api/capture           the last capture tcpdump -w wrote, as a pcap file
 *   WS  /ws/terminal?node=H    a shell on node H: {t:'i',d} keys and {t:'resize',cols} in; {t:'o',d}
 *                              output, {t:'done',command} after each line, {t:'exit',status} out
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import * as readline from 'node:readline';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Lab } from '@skblab/runtime';
import { promptLine } from '@skblab/shell';
import { countersOf, journeysSince, topologyOf, LANES } from './api';
import type { CommandRecord, LabConsole } from './console';

export interface WebServerOptions {
  console: LabConsole;
  /** Where index.html, app.js and app.css are. */
  assets: string;
  port?: number;
  /** The address to listen on (default 127.0.0.1: the lab's root shell is not for the network). */
  listen?: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

function sendJson(res: http.ServerResponse, status: number, v: unknown): void {
  const body = JSON.stringify(v);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * A request a page of another site may have sent: the terminal is a root shell on the lab (and tcpdump -w
 * writes the machine's files), so only pages of this server may use it. A Host that is not an address,
 * localhost or this machine's name is a DNS-rebinding page's own name; a WebSocket's Origin must be the
 * Host it connects to (browsers send it; a WebSocket is not held to the same-origin policy otherwise).
 */
export function foreignRequest(req: http.IncomingMessage, listen: string): string | null {
  const hostHeader = req.headers.host;
  let host = '';
  if (hostHeader !== undefined) {
    let url: URL;
    try {
      url = new URL(`http://${hostHeader}`);
    } catch {
      return `bad Host '${hostHeader}'`;
    }
    host = url.host;
    const name = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const ok =
      net.isIP(name) !== 0 ||
      name === 'localhost' ||
      name.endsWith('.localhost') ||
      name === listen ||
      name === os.hostname().toLowerCase();
    if (!ok) return `Host '${hostHeader}' is not this server (use its address, as in the URL it printed)`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && req.headers.upgrade !== undefined) {
    let from = '';
    try {
      from = new URL(origin).host;
    } catch {
      // 'null' (a sandboxed page, a file): not a page of this server
    }
    if (from !== host) return `a page of ${origin} may not open a terminal here`;
  }
  return null;
}

export function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const con = o.console;
  const lab = con.lab;
  const sockets = new Set<WebSocket>();
  const summary = (c: CommandRecord) => ({
    id: c.id,
    host: c.host,
    line: c.line,
    status: c.status,
    journeys: c.journeys,
  });

  const api = (url: URL, res: http.ServerResponse): void => {
    switch (url.pathname) {
      case '/api/topology':
        return sendJson(res, 200, topologyOf(lab));
      case '/api/journeys': {
        const s = url.searchParams.get('since') ?? '0';
        if (!/^\d+$/.test(s)) return sendJson(res, 400, { error: `since: not a journey number: '${s}'` });
        return sendJson(res, 200, { lanes: LANES, ...journeysSince(lab, Number(s)) });
      }
      case '/api/commands':
        return sendJson(res, 200, { commands: con.commands });
      case '/api/counters': {
        const last = con.last;
        return sendJson(res, 200, {
          counters: countersOf(lab),
          last: last && { ...summary(last), moved: last.moved },
        });
      }
      case '/api/capture': {
        const c = con.readCapture();
        if ('error' in c) return sendJson(res, 404, { error: c.error });
        res.writeHead(200, {
          'content-type': 'application/vnd.tcpdump.pcap',
          'content-disposition': `attachment; filename="${c.name.replace(/["\\\r\n]/g, '_')}"`,
          'content-length': c.bytes.length,
        });
        res.end(c.bytes);
        return;
      }
      case '/api/state':
        return sendJson(res, 200, {
          hosts: [...lab.hosts.keys()],
          lastCommand: con.last && summary(con.last),
          capture: con.capture && { file: con.capture.file, command: con.capture.command },
        });
    }
    sendJson(res, 404, { error: `no such API: ${url.pathname}` });
  };

  const listen = o.listen ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    const foreign = foreignRequest(req, listen);
    if (foreign) return sendJson(res, 403, { error: foreign });
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'GET only' });
    if (url.pathname.startsWith('/api/')) return api(url, res);
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = path.join(o.assets, name);
    // Only the bundle's own files: no path out of its folder.
    if (
      path.relative(o.assets, file).startsWith('..') ||
      !fs.existsSync(file) ||
      !fs.statSync(file).isFile()
    ) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });

  // Keys typed or pasted: a megabyte is plenty (ws's default would take 100 MiB).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const foreign = foreignRequest(req, listen);
    if (foreign) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${foreign}\n`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws/terminal') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      terminalSession(ws, lab, con, url.searchParams.get('node'), (c) => {
        // Every page's views follow the lab, whichever terminal ran the line.
        const msg = JSON.stringify({ t: 'done', command: summary(c) });
        for (const s of sockets) if (s.readyState === s.OPEN) s.send(msg);
      });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, listen, () => {
      const port = (server.address() as { port: number }).port;
      const host = o.listen && o.listen !== '0.0.0.0' && o.listen !== '::' ? o.listen : '127.0.0.1';
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
        port,
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.terminate();
            wss.close();
            server.close(() => res());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * One terminal: readline does the line editing (history, Ctrl-C, Ctrl-D) as it does for `skblab shell` at
 * a terminal; the lines go to a shell on the node, through the console's queue.
 */
function terminalSession(
  ws: WebSocket,
  lab: Lab,
  con: LabConsole,
  node: string | null,
  onCommand: (c: CommandRecord) => void,
): void {
  const send = (v: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(v));
  };
  const name = node ?? [...lab.hosts.keys()][0];
  const host = lab.hosts.get(name);
  if (!host) {
    send({ t: 'o', d: `skblab: no node named '${name}' (nodes: ${[...lab.hosts.keys()].join(', ')})\r\n` });
    send({ t: 'exit', status: 1 });
    ws.close();
    return;
  }
  const input = new PassThrough();
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        send({ t: 'o', d: chunk.toString('utf8') });
        cb();
      },
    }),
    { columns: 80, rows: 24, isTTY: true },
  );
  const shell = con.shell(
    host,
    (s) => send({ t: 'o', d: s }),
    (s) => send({ t: 'o', d: s }),
  );
  const rl = readline.createInterface({ input, output, terminal: true, historySize: 500 });
  rl.setPrompt(`root@${name}:~# `);
  rl.on('SIGINT', () => {
    send({ t: 'o', d: '^C\n' });
    if (!shell.interrupt()) rl.prompt();
  });
  ws.on('message', (data) => {
    let m: { t?: string; d?: unknown; cols?: unknown; rows?: unknown };
    try {
      m = JSON.parse(data.toString());
    } catch {
      return;
    }
    // Anything but an object ('null', '[1]', '5') is not a message of the page's either: ignored.
    if (typeof m !== 'object' || m === null) return;
    if (m.t === 'i' && typeof m.d === 'string') input.write(m.d);
    else if (m.t === 'resize' && typeof m.cols === 'number' && m.cols > 0 && m.cols < 1000) {
      output.columns = Math.floor(m.cols);
      if (typeof m.rows === 'number') output.rows = Math.floor(m.rows);
      output.emit('resize');
    }
  });
  ws.on('close', () => {
    shell.interrupt();
    input.end();
  });
  send({ t: 'o', d: `skblab: a simulated Linux 6.12 IPv4 stack. You are root on ${name}. Type 'help'.\n` });
  const run = async () => {
    let status = 0;
    rl.prompt();
    for await (const line of rl) {
      let r: { status: number; exit: boolean };
      try {
        r = await promptLine(
          () => shell.runLine(line),
          (m) => send({ t: 'o', d: m }),
        );
      } catch (e) {
        // A terminal of the console outlives what one line threw: it says so and goes on.
        send({ t: 'o', d: `skblab: ${e instanceof Error ? e.message : String(e)}\n` });
        r = { status: 70, exit: false };
      }
      status = r.status;
      if (r.exit) break;
      const last = con.last;
      if (last && line.trim()) onCommand(last);
      rl.prompt();
    }
    rl.close();
    await shell.stopBackground();
    send({ t: 'exit', status });
    ws.close();
  };
  void run();
}
