/**
 * `npm run bench` (TCP part): request/response over 127.0.0.1 like netperf TCP_RR (one connection, a 1-byte
 * request answered by a 1-byte response, N transactions) through the Task's system calls, against Node's
 * `net` on the real loopback in the same run; 10,000 concurrent connections to one listener (wall time,
 * RSS, and ss -s's summary of them); iperf over loopback as simulated bytes per wall second. Prints JSON,
 * medians over several runs; nothing is asserted (a benchmark, not a test).
 */
import * as net from 'node:net';
import { AF_INET, SOCK_STREAM } from '@skblab/kernel';
import { Lab, Task } from '@skblab/runtime';

const LOOPBACK = 0x7f000001;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One TCP_RR run in the lab: a server task answering each byte with a byte, a client task sending the
 * next request when the response comes; both block in recv as netperf does. Transactions per wall second.
 */
async function simRun(n: number, traceLevel: 'journeys' | 'off'): Promise<number> {
  const lab = new Lab({ traceLevel });
  const host = lab.addHost('host1');
  const server = new Task(lab, host, host.initNet, 'netserver', 0);
  const client = new Task(lab, host, host.initNet, 'netperf', 1);
  const lfd = server.socket(AF_INET, SOCK_STREAM, 0);
  if (server.bind(lfd, LOOPBACK, 12865) || server.listen(lfd, 128)) throw new Error('listen failed');
  const cfd = client.socket(AF_INET, SOCK_STREAM, 0);
  const rc = await lab.drive(client.connectWait(cfd, LOOPBACK, 12865));
  if (rc) throw new Error(`connect: ${rc}`);
  const a = await lab.drive(server.accept(lfd));
  if (typeof a === 'number') throw new Error(`accept: ${a}`);
  const req = new Uint8Array([0x52]);
  const resp = new Uint8Array([0x41]);
  const serve = async () => {
    for (let i = 0; i < n; i++) {
      const r = await server.recv(a.fd, 1);
      if (typeof r === 'number' || r.length !== 1) throw new Error(`server recv: ${r}`);
      if ((await server.send(a.fd, resp)) !== 1) throw new Error('server send');
    }
  };
  const run = async () => {
    for (let i = 0; i < n; i++) {
      if ((await client.send(cfd, req)) !== 1) throw new Error('client send');
      const r = await client.recv(cfd, 1);
      if (typeof r === 'number' || r.length !== 1) throw new Error(`client recv: ${r}`);
    }
  };
  const t0 = process.hrtime.bigint();
  await lab.drive(Promise.all([serve(), run()]));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return n / secs;
}

/** One TCP_RR run on the real loopback with Node's net (TCP_NODELAY, as netperf sets it). */
function realRun(n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const resp = Buffer.from([0x41]);
    const req = Buffer.from([0x52]);
    const server = net.createServer((s) => {
      s.setNoDelay(true);
      s.on('data', (d) => {
        for (let i = 0; i < d.length; i++) s.write(resp);
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      const c = net.connect(port, '127.0.0.1', () => {
        c.setNoDelay(true);
        let done = 0;
        const t0 = process.hrtime.bigint();
        c.on('data', (d) => {
          done += d.length;
          if (done >= n) {
            const secs = Number(process.hrtime.bigint() - t0) / 1e9;
            c.destroy();
            server.close();
            resolve(n / secs);
          } else c.write(req);
        });
        c.write(req);
      });
      c.on('error', reject);
    });
  });
}

async function main() {
  if (process.env.BENCH_PROFILE) {
    // One kind of run only, for node --cpu-prof: BENCH_PROFILE=journeys|off|net.
    const n = Number(process.env.BENCH_TRANSACTIONS ?? 50000);
    const kind = process.env.BENCH_PROFILE;
    const rate = kind === 'net' ? await realRun(n) : await simRun(n, kind === 'off' ? 'off' : 'journeys');
    process.stdout.write(JSON.stringify({ kind, transactionsPerSec: Math.round(rate) }) + '\n');
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const n = Number(process.env.BENCH_TRANSACTIONS ?? 50000);
  await simRun(5000, 'journeys'); // warm-up
  await realRun(5000);
  const sim: number[] = [];
  const simNoTrace: number[] = [];
  const real: number[] = [];
  for (let i = 0; i < runs; i++) {
    sim.push(await simRun(n, 'journeys'));
    simNoTrace.push(await simRun(n, 'off'));
    real.push(await realRun(n));
  }
  const out = {
    benchmark: 'tcp-rr-1B',
    transactions: n,
    runs,
    simulatedTransactionsPerSec: Math.round(median(sim)),
    simulatedTransactionsPerSecNoTrace: Math.round(median(simNoTrace)),
    nodeNetLoopbackPerSec: Math.round(median(real)),
    ratio: Number((median(sim) / median(real)).toFixed(2)),
    samples: {
      simulated: sim.map(Math.round),
      simulatedNoTrace: simNoTrace.map(Math.round),
      nodeNet: real.map(Math.round),
    },
    node: process.version,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
