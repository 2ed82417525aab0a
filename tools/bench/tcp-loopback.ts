/**
 * `npm run bench` (TCP part): request/response over 127.0.0.1 like netperf TCP_RR (one connection, a 1-byte
 * request answered by a 1-byte response, N transactions) through the Task's system calls, against Node's
 * `net` on the real loopback in the same run; 10,000 concurrent connections to one listener (wall time,
 * RSS, and ss -s's summary of them); iperf over loopback as simulated bytes per wall second. Prints JSON,
 * medians over several runs; nothing is asserted (a benchmark, not a test).
 */
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { AF_INET, SOCK_STREAM, TCP_MIB } from '@skblab/kernel';
import { Lab, Task, SOCK_NONBLOCK } from '@skblab/runtime';
import { MSG_DONTWAIT } from '@skblab/kernel/include/net/tcp';
import { tcp_recvmsg, tcp_sendmsg } from '@skblab/kernel/net/ipv4/tcp';
import { newShell } from '@skblab/shell';
import { defaultCommands } from '@skblab/userland';

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

/**
 * The same exchange calling the kernel's tcp_sendmsg / tcp_recvmsg directly, each as a system call of its
 * task (process context, then softirqs), with no blocking and no promises: on loopback every segment is
 * received before the call returns, so each recv finds its byte. What the Task's blocking calls cost on
 * top is the difference.
 */
async function kernelRun(n: number): Promise<number> {
  const lab = new Lab();
  const host = lab.addHost('host1');
  const server = new Task(lab, host, host.initNet, 'netserver', 0);
  const client = new Task(lab, host, host.initNet, 'netperf', 1);
  const lfd = server.socket(AF_INET, SOCK_STREAM, 0);
  if (server.bind(lfd, LOOPBACK, 12865) || server.listen(lfd, 128)) throw new Error('listen failed');
  const cfd = client.socket(AF_INET, SOCK_STREAM, 0);
  if (await lab.drive(client.connectWait(cfd, LOOPBACK, 12865))) throw new Error('connect failed');
  const a = await lab.drive(server.accept(lfd));
  if (typeof a === 'number') throw new Error(`accept: ${a}`);
  const csk = client.tcpSockOf(cfd)!;
  const ssk = server.tcpSockOf(a.fd)!;
  const req = new Uint8Array([0x52]);
  const resp = new Uint8Array([0x41]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    lab.inProcess('netperf', () => tcp_sendmsg(lab, csk, req, MSG_DONTWAIT), 1);
    const r = lab.inProcess('netserver', () => tcp_recvmsg(lab, ssk, 1, MSG_DONTWAIT), 0);
    if (typeof r === 'number' || r.copied !== 1) throw new Error(`server recv: ${r}`);
    lab.inProcess('netserver', () => tcp_sendmsg(lab, ssk, resp, MSG_DONTWAIT), 0);
    const q = lab.inProcess('netperf', () => tcp_recvmsg(lab, csk, 1, MSG_DONTWAIT), 1);
    if (typeof q === 'number' || q.copied !== 1) throw new Error(`client recv: ${q}`);
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
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

/**
 * `--conns N` (in a fresh process, for its RSS): N connections from one task to a listener on 127.0.0.1
 * in the embedded lab, as a program would open them: non-blocking connect()s, while the server accept()s
 * what its queue holds (listen(fd, 4096): net.core.somaxconn caps the backlog at 4096, as on 6.12, so the
 * accepting keeps up). Ends when every client socket is ESTABLISHED and every connection accepted; then
 * `ss -s` runs in the lab's shell. Prints JSON: wall time, peak RSS, the counts and ss -s's text.
 */
async function conns(n: number): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lab = new Lab();
  const host = lab.addHost('host1');
  const server = new Task(lab, host, host.initNet, 'server', 0);
  const client = new Task(lab, host, host.initNet, 'client', 1);
  const lfd = server.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (server.bind(lfd, LOOPBACK, 8080) || server.listen(lfd, 4096)) throw new Error('listen failed');
  const cfds: number[] = [];
  let accepted = 0;
  const acceptAll = async () => {
    for (;;) {
      const a = await server.accept(lfd);
      if (typeof a === 'number') return;
      accepted++;
    }
  };
  for (let i = 0; i < n; i++) {
    const fd = client.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const rc = client.connect(fd, LOOPBACK, 8080);
    if (rc !== -115 && rc !== 0) throw new Error(`connect #${i}: ${rc}`); // EINPROGRESS
    cfds.push(fd);
    if (i % 256 === 255) await lab.drive(acceptAll());
  }
  await lab.drive(acceptAll());
  // connect(2) again on each: 0 once the handshake is over (ss counts them from the kernel's tables).
  let established = 0;
  for (const fd of cfds) if (client.tcpSockOf(fd)!.state === 1) established++;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  let ssOut = '';
  const sh = newShell(lab, host, defaultCommands(), {
    out: (t) => void (ssOut += t),
    err: (t) => void (ssOut += t),
  });
  await sh.runLine('ss -s');
  const out = {
    connections: n,
    clientEstablished: established,
    accepted,
    currEstab: host.initNet.mib.tcp[TCP_MIB.CurrEstab],
    wallMs: Math.round(ms),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
    rssMb: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)),
    ssSummary: ssOut,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/**
 * iperf over 127.0.0.1 in the lab's shell (`iperf -s &`, then `iperf -c 127.0.0.1 -n SIZE`): simulated
 * bytes per wall second of the client's run, every segment through every layer.
 */
async function iperfRun(megabytes: number): Promise<number> {
  const lab = new Lab();
  const host = lab.addHost('host1');
  let text = '';
  const sh = newShell(lab, host, defaultCommands(), {
    out: (t) => void (text += t),
    err: (t) => void (text += t),
  });
  await sh.runLine('iperf -s &');
  await sh.runLine('sleep 0.1');
  const t0 = performance.now();
  const status = await sh.runLine(`iperf -c 127.0.0.1 -n ${megabytes}M`);
  const secs = (performance.now() - t0) / 1000;
  if (status !== 0 || !/MBytes/.test(text)) throw new Error(`iperf: ${status}\n${text}`);
  await sh.stopBackground();
  return (megabytes * 2 ** 20) / secs;
}

/** The same bytes through Node's net on the real loopback, in 128 KB writes (iperf's -l): bytes per second. */
function realBulk(megabytes: number): Promise<number> {
  const total = megabytes * 2 ** 20;
  const chunk = Buffer.alloc(128 * 1024);
  return new Promise((resolve, reject) => {
    let got = 0;
    let t0 = 0n;
    const server = net.createServer((s) => {
      s.on('data', (d) => {
        got += d.length;
        if (got >= total) {
          const secs = Number(process.hrtime.bigint() - t0) / 1e9;
          s.destroy();
          server.close();
          resolve(total / secs);
        }
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => {
        t0 = process.hrtime.bigint();
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!c.write(chunk)) return void c.once('drain', pump);
          }
          c.end();
        };
        pump();
      });
      c.on('error', () => undefined);
    });
  });
}

async function main() {
  if (process.env.BENCH_PROFILE) {
    // One kind of run only, for node --cpu-prof: BENCH_PROFILE=journeys|off|kernel|net.
    const n = Number(process.env.BENCH_TRANSACTIONS ?? 50000);
    const kind = process.env.BENCH_PROFILE;
    const cpu0 = process.cpuUsage();
    const rate =
      kind === 'net'
        ? await realRun(n)
        : kind === 'kernel'
          ? await kernelRun(n)
          : await simRun(n, kind === 'off' ? 'off' : 'journeys');
    const cpu = process.cpuUsage(cpu0);
    // Per CPU second of this process too: steadier than wall time on a shared machine.
    const perCpuSec = Math.round(n / ((cpu.user + cpu.system) / 1e6));
    process.stdout.write(JSON.stringify({ kind, transactionsPerSec: Math.round(rate), perCpuSec }) + '\n');
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const n = Number(process.env.BENCH_TRANSACTIONS ?? 50000);
  const nConns = Number(process.env.BENCH_CONNECTIONS ?? 10000);
  const connRuns = Number(process.env.BENCH_CONNECTION_RUNS ?? 3);
  const iperfMb = Number(process.env.BENCH_IPERF_MBYTES ?? 256);
  await simRun(5000, 'journeys'); // warm-up
  await realRun(5000);
  const sim: number[] = [];
  const simNoTrace: number[] = [];
  const kernel: number[] = [];
  const real: number[] = [];
  for (let i = 0; i < runs; i++) {
    sim.push(await simRun(n, 'journeys'));
    simNoTrace.push(await simRun(n, 'off'));
    kernel.push(await kernelRun(n));
    real.push(await realRun(n));
  }
  const iperfSim: number[] = [];
  const bulkReal: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    iperfSim.push(await iperfRun(iperfMb));
    bulkReal.push(await realBulk(iperfMb));
  }
  // Each in a fresh process: its peak RSS is the lab's and its connections'.
  const connSamples: Array<Record<string, unknown>> = [];
  for (let i = 0; i < connRuns; i++)
    connSamples.push(
      JSON.parse(
        execFileSync(process.execPath, [__filename, '--conns', String(nConns)], { encoding: 'utf8' }),
      ),
    );
  const med = (k: string) => median(connSamples.map((c) => c[k] as number));
  const last = connSamples[connSamples.length - 1];
  const out = {
    benchmark: 'tcp-loopback',
    tcpRR: {
      description: '1-byte request, 1-byte response, one connection over 127.0.0.1 (netperf TCP_RR)',
      transactions: n,
      runs,
      simulatedTransactionsPerSec: Math.round(median(sim)),
      simulatedTransactionsPerSecNoTrace: Math.round(median(simNoTrace)),
      simulatedKernelCallsPerSec: Math.round(median(kernel)),
      nodeNetLoopbackPerSec: Math.round(median(real)),
      ratio: Number((median(sim) / median(real)).toFixed(2)),
      samples: {
        simulated: sim.map(Math.round),
        simulatedNoTrace: simNoTrace.map(Math.round),
        kernelCalls: kernel.map(Math.round),
        nodeNet: real.map(Math.round),
      },
    },
    connections: {
      description: `${nConns} connections to one listener on 127.0.0.1 (median of ${connRuns} fresh processes)`,
      connections: nConns,
      allEstablished:
        last.clientEstablished === nConns && last.accepted === nConns && last.currEstab === 2 * nConns,
      wallMs: med('wallMs'),
      cpuMs: med('cpuMs'),
      peakRssMb: med('peakRssMb'),
      samples: connSamples.map(({ ssSummary: _, ...rest }) => rest),
      ssSummary: last.ssSummary,
    },
    iperf: {
      description: `iperf -c 127.0.0.1 -n ${iperfMb}M in the lab: simulated bytes per wall second`,
      simulatedBytesPerSec: Math.round(median(iperfSim)),
      nodeNetLoopbackBytesPerSec: Math.round(median(bulkReal)),
      samples: { simulated: iperfSim.map(Math.round), nodeNet: bulkReal.map(Math.round) },
    },
    node: process.version,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

const connsArg = process.argv.indexOf('--conns');
(connsArg >= 0 ? conns(Number(process.argv[connsArg + 1])) : main()).catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
