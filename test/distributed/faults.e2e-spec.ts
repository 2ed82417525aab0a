/**
 * Faults while 10,000 UDP datagrams stream over 127.0.0.1 through every layer service: `kill -9` of a layer
 * service and its restart, a Redis restart, a Kafka broker restart. Each datagram (numbered in its payload)
 * must reach the receiving socket exactly once, or be counted as a drop; none may be duplicated, none may
 * vanish. The shell's side (sender, receiver, socket layer) runs in this process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM } from '@skblab/kernel';
import { Task } from '@skblab/runtime';
import { DistributedNode, KEYS } from '@skblab/distributed';
import { startService, upLab, type Started } from '../../apps/cli/src/distributed';
import { brokers, inProcessLab, SERVICES } from './in-process';

const N = 10_000;
const WINDOW = 128;
const STALL_MS = 90_000;

interface StreamResult {
  received: number;
  duplicates: number;
  missing: number[];
  drops: Record<string, number>;
  faultAt: number;
}

/** Stream N numbered datagrams; call `fault` once when `faultAfter` have arrived. */
async function stream(
  shell: DistributedNode,
  fault: () => Promise<void>,
  faultAfter = 2_000,
  diagnose: () => string = () => '',
): Promise<StreamResult> {
  const lab = shell.lab;
  const host = lab.hosts.get('host1')!;
  const rx = new Task(lab, host, host.initNet, 'receiver', 1);
  const tx = new Task(lab, host, host.initNet, 'sender', 0);
  const rfd = rx.socket(AF_INET, SOCK_DGRAM, 0);
  expect(rx.bind(rfd, 0x7f000001, 9000)).toBe(0);
  const sfd = tx.socket(AF_INET, SOCK_DGRAM, 0);
  const got = new Uint8Array(N);
  let received = 0;
  let duplicates = 0;
  let sent = 0;
  let faulted: Promise<void> | null = null;
  let faultAt = 0;
  let lastProgress = Date.now();
  while (received < N) {
    while (sent < N && sent - received < WINDOW) {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setUint32(0, sent);
      expect(tx.sendto(sfd, b, 0x7f000001, 9000)).toBe(64);
      sent++;
    }
    const readable = await Promise.race([
      rx.waitReadable(rfd, Infinity),
      new Promise<false>((r) => setTimeout(() => r(false), 1_000)),
    ]);
    for (;;) {
      const r = rx.tryRecv(rfd);
      if (typeof r === 'number') break;
      const seq = new DataView(r.data.buffer, r.data.byteOffset).getUint32(0);
      if (got[seq]) duplicates++;
      else {
        got[seq] = 1;
        received++;
      }
      lastProgress = Date.now();
    }
    if (!faulted && received >= faultAfter) {
      faultAt = received;
      faulted = fault();
    }
    if (!readable && Date.now() - lastProgress > STALL_MS) break; // what is missing is reported below
  }
  await faulted;
  try {
    await shell.idle(60_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}; received ${received}/${N}; ${diagnose()}`);
  }
  const snmp = host.initNet.mib;
  const sd = host.softnet;
  return {
    received,
    duplicates,
    missing: [...got.keys()].filter((i) => !got[i]).slice(0, 20),
    faultAt,
    drops: {
      udpRcvbufErrors: snmp.udp[4],
      ipOutDiscards: snmp.ip[10],
      softnetDropped: sd.reduce((n, c) => n + c.dropped, 0),
    },
  };
}

function expectExactlyOnce(r: StreamResult): void {
  const dropped = Object.values(r.drops).reduce((a, b) => a + b, 0);
  expect({ duplicates: r.duplicates, missing: r.missing, accounted: r.received + dropped }).toEqual({
    duplicates: 0,
    missing: dropped ? expect.any(Array) : [],
    accounted: N,
  });
  expect(r.faultAt).toBeGreaterThanOrEqual(2_000);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A lab whose layer services run as processes (up), the shell's side as the socket service in this process;
 * `kill` does kill -9 of one layer's service and starts it again. `body` gets the shell's node.
 */
async function withServices(
  suffix: string,
  body: (shell: DistributedNode, kill: (layer: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const { kafkaBrokers, redisUrl, testLab } = brokers();
  const labId = `${testLab}-${suffix}`;
  const b = { kafka: kafkaBrokers, redisUrl };
  const started: Started[] = await upLab(labId, [{ name: 'host1', cpus: 2 }], b, false);
  const shell = new DistributedNode({ labId, service: 'socket', kafkaBrokers, redisUrl, shipTraces: false });
  const kill = async (layer: string): Promise<void> => {
    const victim = started.find((s) => s.layer === layer)!;
    victim.child.kill('SIGKILL');
    await new Promise((res) => victim.child.once('exit', res));
    const bundle = path.join(__dirname, '..', '..', 'dist', 'apps', layer, 'main.js');
    started.push(await startService(victim.layer, bundle, labId, b, false));
  };
  try {
    await shell.loadTopology();
    await shell.start();
    await body(shell, kill);
  } finally {
    await shell.stop();
    for (const s of started) s.child.kill('SIGKILL');
  }
}

describe('faults while datagrams stream', () => {
  jest.setTimeout(300_000);

  // SKBLAB_FAULT_VICTIMS=ip,softirq,... picks others (each costs a consumer-group session timeout).
  const victims = (process.env.SKBLAB_FAULT_VICTIMS ?? 'ip,softirq').split(',');
  it.each(victims)(
    'kill -9 of the %s service and its restart: every datagram exactly once',
    async (victimLayer) => {
      await withServices(`kill-${victimLayer}`, async (shell, kill) => {
        const r = await stream(shell, () => kill(victimLayer));
        expectExactlyOnce(r);
        expect(Number(await shell.redis.get(KEYS.inflight))).toBe(0);
      });
    },
  );

  it('a Redis restart: every datagram exactly once', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
    const startRedis = async (): Promise<ChildProcess> => {
      // An append-only file, synced on every write: the restarted server has what the lab wrote.
      const p = spawn('redis-server', [...args, '--appendonly', 'yes', '--appendfsync', 'always'], {
        stdio: 'ignore',
      });
      for (let i = 0; i < 100; i++) {
        if (
          spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG'
        )
          return p;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('redis-server did not start');
    };
    let redis = await startRedis();
    const lab = await inProcessLab('redis', () => undefined, { redisUrl: `redis://127.0.0.1:${port}` });
    try {
      const r = await stream(lab.shellNode, async () => {
        spawnSync('redis-cli', ['-p', String(port), 'shutdown']);
        await new Promise((res) => setTimeout(res, 1_000));
        redis = await startRedis();
      });
      expectExactlyOnce(r);
      expect(Number(await lab.shellNode.redis.get(KEYS.inflight))).toBe(0);
    } finally {
      await lab.stop();
      redis.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a Kafka broker restart: every datagram exactly once', async () => {
    const broker = require('../../tools/kafka-broker/broker.js') as {
      start(o: object): Promise<{ bootstrap: string; port: number }>;
      stop(o: object): Promise<void>;
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-kafka-fault-'));
    const first = await broker.start({ port: 0, dir, fresh: true, log: () => undefined });
    const port = Number(first.bootstrap.split(':')[1]);
    const lab = await inProcessLab('kafka', (l) => process.stderr.write(l + '\n'), {
      kafkaBrokers: [first.bootstrap],
    });
    try {
      const r = await stream(
        lab.shellNode,
        async () => {
          await broker.stop({ dir });
          await broker.start({ port, dir, log: () => undefined });
        },
        2_000,
        () =>
          [lab.shellNode, ...lab.services.values()]
            .map((n) => `${n.opts.service} ${JSON.stringify(n.stats)}`)
            .join('; '),
      );
      expectExactlyOnce(r);
      expect(Number(await lab.shellNode.redis.get(KEYS.inflight))).toBe(0);
    } finally {
      await lab.stop();
      await broker.stop({ dir });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A TCP transfer over 127.0.0.1 across a kill -9 of a layer service: every byte that send() took reaches the
 * receiver once and in order. What the dead process held is either redelivered (the exactly-once bookkeeping)
 * or lost on the wire, and then TCP's retransmission brings it back; either way the stream is intact.
 */
describe('a fault during a TCP transfer', () => {
  jest.setTimeout(300_000);
  const TOTAL = 1 << 20;
  const CHUNK = 16384;

  it('kill -9 of the ip service and its restart: every byte sent arrives once, in order', async () => {
    await withServices('tcp-kill-ip', async (shell, kill) => {
      const lab = shell.lab;
      const host = lab.hosts.get('host1')!;
      const srv = new Task(lab, host, host.initNet, 'server', 1);
      const cli = new Task(lab, host, host.initNet, 'client', 0);
      const lfd = srv.socket(AF_INET, SOCK_STREAM, 0);
      expect(srv.bind(lfd, 0x7f000001, 9001)).toBe(0);
      expect(srv.listen(lfd, 8)).toBe(0);
      const cfd = cli.socket(AF_INET, SOCK_STREAM, 0);
      const accepted = srv.accept(lfd);
      expect(await cli.connectWait(cfd, 0x7f000001, 9001)).toBe(0);
      const a = await accepted;
      if (typeof a === 'number') throw new Error(`accept: ${a}`);
      // The byte at offset i is (i * 7 + (i >> 8)) & 0xff: a reordered, repeated or missing chunk shows.
      const byteAt = (i: number): number => (i * 7 + (i >> 8)) & 0xff;
      let faulted: Promise<void> | null = null;
      const sender = (async () => {
        let sent = 0;
        while (sent < TOTAL) {
          const n = Math.min(CHUNK, TOTAL - sent);
          const buf = new Uint8Array(n);
          for (let k = 0; k < n; k++) buf[k] = byteAt(sent + k);
          const r = await cli.send(cfd, buf);
          if (r < 0) throw new Error(`send: ${r}`);
          sent += r;
        }
        expect(cli.shutdown(cfd, 1)).toBe(0);
        return sent;
      })();
      let received = 0;
      let firstBad = -1;
      for (;;) {
        const r = await srv.recv(a.fd, 65536);
        if (typeof r === 'number') throw new Error(`recv: ${r}`);
        if (!r.length) break; // the client's FIN, after every byte
        for (let k = 0; k < r.length; k++)
          if (firstBad < 0 && r[k] !== byteAt(received + k)) firstBad = received + k;
        received += r.length;
        if (!faulted && received >= TOTAL / 4) faulted = kill('ip');
      }
      await faulted;
      expect({ sent: await sender, received, firstBad }).toEqual({
        sent: TOTAL,
        received: TOTAL,
        firstBad: -1,
      });
      expect(faulted).not.toBeNull();
    });
  });
});

// Every service of the lab takes part in the stream (the victim above is one of them).
test('the stream crosses every layer service', () => {
  expect(SERVICES).toEqual(expect.arrayContaining(['ip', 'neigh', 'dev', 'loopback', 'softirq', 'rx']));
});
