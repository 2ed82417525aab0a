/**
 * The lab side of `skblab run`: a Unix socket on which the script's tools (bin/skblab-shim, on the script's
 * PATH as ip, ping, sysctl, ...) ask the lab to run their argv. One request per connection, one JSON line:
 * `{"argv": [...], "stdin": "..." | null}`; the answer is JSON lines `{"o": text}` (stdout), `{"e": text}`
 * (stderr) as the tool writes, then `{"x": status}`.
 *
 * Requests run one at a time, in the order they come: the lab has one simulated clock, and each tool drives
 * it as a foreground job until it is done (a tool that could never finish is stopped, as the lab's own
 * shell stops it: the script goes on, it does not hang).
 */
import * as net from 'node:net';
import type { Host } from '@skblab/kernel';
import type { Lab } from '@skblab/runtime';
import { Shell, type ShellOptions } from '@skblab/shell';
import type { CommandTable } from '@skblab/userland/command';

export interface RunRequest {
  argv: string[];
  stdin: string | null;
}

export interface RunServer {
  close(): Promise<void>;
  /** Requests answered so far. */
  readonly served: number;
}

function isRequest(v: unknown): v is RunRequest {
  const r = v as RunRequest;
  return (
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.argv) &&
    r.argv.length > 0 &&
    r.argv.every((a) => typeof a === 'string') &&
    (r.stdin === null || typeof r.stdin === 'string')
  );
}

export function startRunServer(
  lab: Lab,
  host: Host,
  commands: CommandTable,
  socketPath: string,
  aroundLine?: ShellOptions['aroundLine'],
): Promise<RunServer> {
  const shell = new Shell({ lab, host, commands, out: () => undefined, err: () => undefined, aroundLine });
  let queue: Promise<unknown> = Promise.resolve();
  let served = 0;
  const server = net.createServer((conn) => {
    let buf = '';
    let taken = false;
    conn.on('error', () => undefined); // a tool killed mid-answer (its pipe's reader went away)
    conn.on('data', (chunk) => {
      if (taken) return;
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      taken = true;
      let req: unknown;
      try {
        req = JSON.parse(buf.slice(0, nl));
      } catch {
        req = null;
      }
      const send = (frame: object) => {
        if (!conn.destroyed) conn.write(JSON.stringify(frame) + '\n');
      };
      if (!isRequest(req)) {
        send({ e: 'skblab run: malformed request from a tool\n' });
        send({ x: 2 });
        conn.end();
        return;
      }
      const r = req;
      let answered = false;
      let running = false;
      // The tool went away before its answer (killed, `timeout`, Ctrl-C): its job stops, as the process's
      // end would end it, and the tools queued behind it go on.
      conn.on('close', () => {
        if (!answered && running) shell.interrupt();
      });
      const run = async () => {
        if (conn.destroyed) return;
        running = true;
        let status: number;
        try {
          status = await shell.runForeground(r.argv, {
            stdin: r.stdin,
            out: (s) => send({ o: s }),
            err: (s) => send({ e: s }),
          });
        } catch (e) {
          send({ e: `skblab run: ${r.argv[0]}: ${e instanceof Error ? e.message : String(e)}\n` });
          status = 1;
        }
        served++;
        answered = true;
        send({ x: status });
        conn.end();
      };
      queue = queue.then(run, run);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () =>
      resolve({
        // The lab stays until the last tool's job is over.
        close: () => new Promise<void>((res) => server.close(() => void queue.then(() => res()))),
        get served() {
          return served;
        },
      }),
    );
  });
}
