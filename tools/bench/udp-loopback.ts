/**
 * `npm run bench`: simulated UDP datagrams per second over 127.0.0.1 (64-byte payloads, every layer from
 * sendto to the reader's recvfrom, traces at their default level), against the real kernel's UDP loopback
 * rate from Node's dgram measured in the same run, plus the embedded lab's idle RSS. Prints JSON.
 * Medians over several runs; nothing here is asserted: it is a benchmark, not a test.
 */
import * as dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { AF_INET, SOCK_DGRAM } from '@skblab/kernel';
import { Lab, Task } from '@skblab/runtime';

const PAYLOAD = 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One run: `n` datagrams through the whole simulated stack; returns datagrams/s of wall time. */
function simRun(n: number, traceLevel: 'journeys' | 'off'): number {
  const lab = new Lab({ traceLevel });
  const host = lab.addHost('host1');
  const rx = new Task(lab, host, host.initNet, 'receiver', 1);
  const tx = new Task(lab, host, host.initNet, 'sender', 0);
  const rfd = rx.socket(AF_INET, SOCK_DGRAM, 0);
  rx.bind(rfd, 0x7f000001, 9000);
  const sfd = tx.socket(AF_INET, SOCK_DGRAM, 0);
  const buf = new Uint8Array(PAYLOAD);
  let received = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (tx.sendto(sfd, buf, 0x7f000001, 9000) !== PAYLOAD) throw new Error('send failed');
    const r = rx.tryRecv(rfd);
    if (typeof r !== 'number') received++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (received !== n) throw new Error(`only ${received}/${n} delivered`);
  return n / secs;
}

/**
 * One run of the real kernel: Node dgram over 127.0.0.1. At most WINDOW datagrams are in flight (sent and
 * not yet received), so the receiver's socket buffer never overflows and every datagram is counted.
 */
function realRun(n: number): Promise<number> {
  const WINDOW = 64;
  return new Promise((resolve, reject) => {
    const server = dgram.createSocket('udp4');
    const client = dgram.createSocket('udp4');
    const buf = Buffer.alloc(PAYLOAD);
    let received = 0;
    let sent = 0;
    let t0 = 0n;
    const timer = setTimeout(() => finish(), 20000);
    const finish = () => {
      clearTimeout(timer);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      server.close();
      client.close();
      resolve(received / secs);
    };
    const pump = () => {
      while (sent - received < WINDOW && sent < n) {
        sent++;
        client.send(buf);
      }
    };
    server.on('message', () => {
      if (++received >= n) finish();
      else pump();
    });
    server.on('error', reject);
    server.bind(0, '127.0.0.1', () => {
      const port = server.address().port;
      client.connect(port, '127.0.0.1', () => {
        t0 = process.hrtime.bigint();
        pump();
      });
    });
  });
}

async function main() {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const n = Number(process.env.BENCH_DATAGRAMS ?? 100000);
  simRun(20000, 'journeys'); // warm-up
  await realRun(20000);
  const sim: number[] = [];
  const simNoTrace: number[] = [];
  const real: number[] = [];
  for (let i = 0; i < runs; i++) {
    sim.push(simRun(n, 'journeys'));
    simNoTrace.push(simRun(n, 'off'));
    real.push(await realRun(n));
  }
  // Idle RSS of an embedded lab in a fresh process (this one has run the benchmark).
  const rssMb = Number(
    execFileSync(process.execPath, [__filename, '--idle-rss'], { encoding: 'utf8' }).trim(),
  );
  const out = {
    benchmark: 'udp-loopback-64B',
    datagrams: n,
    runs,
    simulatedDatagramsPerSec: Math.round(median(sim)),
    simulatedDatagramsPerSecNoTrace: Math.round(median(simNoTrace)),
    nodeDgramLoopbackPerSec: Math.round(median(real)),
    ratio: Number((median(sim) / median(real)).toFixed(2)),
    samples: {
      simulated: sim.map(Math.round),
      simulatedNoTrace: simNoTrace.map(Math.round),
      nodeDgram: real.map(Math.round),
    },
    idleLabRssMb: Number(rssMb.toFixed(1)),
    node: process.version,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

/** `--idle-rss`: build the default lab and its shell, settle, and print the process's RSS in MiB. */
function idleRss(): void {
  const lab = new Lab();
  lab.addHost('host1');
  setTimeout(() => {
    process.stdout.write((process.memoryUsage().rss / 2 ** 20).toFixed(1) + '\n');
  }, 200);
}

if (process.argv.includes('--idle-rss')) idleRss();
else
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  });
