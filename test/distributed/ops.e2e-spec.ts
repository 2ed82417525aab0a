/**
 * A lab started with `skblab up` stays up, and is its owner's: the reproductions of issue 15 against an
 * `up` lab on the test run's real Kafka and Redis. A malformed message and a Redis outage leave every
 * service running (their output goes to log files, never to a pipe to the `up` that exited); a second
 * `up` is refused, naming who started the lab; a killed service is restarted by the lab's supervisor while
 * the shell says what it waits on; `down` refuses a forged pid and leaves nothing behind;
 * `npm run bench:distributed` completes on a fresh broker and leaves its temporary folder empty.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { hopTopic } from '@skblab/contracts';
import { verify } from '../../apps/cli/src/procs';
import { brokers, SERVICES } from './in-process';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'skblab');

interface Run {
  status: number | null;
  out: string;
  err: string;
}

type Running = Promise<Run> & { child: ChildProcess; sofar(): string };

/** Run the CLI (asynchronously: a test may act while it runs, seeing its output so far). */
function skblab(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Running {
  const { kafkaBrokers, redisUrl } = brokers();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, KAFKA_BROKERS: kafkaBrokers.join(','), REDIS_URL: redisUrl, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.stdin.end(input);
  const done = new Promise<Run>((resolve) =>
    child.on('close', (status) => resolve({ status, out, err })),
  ) as Running;
  done.child = child;
  done.sofar = () => out;
  return done;
}

function labRedis(lab: string, url = brokers().redisUrl): Redis {
  return new Redis(url, { keyPrefix: `skblab:${lab}:`, maxRetriesPerRequest: 1 });
}

async function records(lab: string, url?: string): Promise<Record<string, { pid: number }>> {
  const r = labRedis(lab, url);
  try {
    const raw = await r.hgetall('services');
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as { pid: number }]));
  } finally {
    r.disconnect();
  }
}

/** Every recorded service is the process it was recorded as, and runs. */
async function expectAllRunning(lab: string, url?: string): Promise<void> {
  const recs = await records(lab, url);
  expect(Object.keys(recs).sort()).toEqual([...SERVICES].sort());
  for (const [instance, rec] of Object.entries(recs))
    expect([instance, verify(rec).ok]).toEqual([instance, true]);
}

/** What is left of a lab: Redis keys, topics, consumer groups, its folder. */
async function leftovers(lab: string) {
  const { kafkaBrokers, redisUrl } = brokers();
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const keys = await r.keys(`skblab:${lab}:*`).finally(() => r.disconnect());
  const admin = new Kafka({
    clientId: `${lab}-check`,
    brokers: kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`skblab.${lab}.`));
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(`${lab}.`));
    return { keys, topics, groups, folder: fs.existsSync(path.join(os.tmpdir(), `skblab-${lab}`)) };
  } finally {
    await admin.disconnect();
  }
}

const NO_STACK = /\n\s+at \S+ \(|\n\s+at \//;

describe('a lab started with skblab up', () => {
  jest.setTimeout(300_000);
  let lab: string;

  beforeAll(async () => {
    lab = `${brokers().testLab}-up1`;
    const up = await skblab(['up', '--lab', lab]);
    expect(up.err).toBe('');
    expect(up.status).toBe(0);
  });

  afterAll(async () => {
    await skblab(['down', '--lab', lab]);
  });

  it('writes each service to its own log file, which skblab logs shows', async () => {
    const ip = await skblab(['logs', '--lab', lab, 'ip']);
    expect(ip.status).toBe(0);
    expect(ip.out).toMatch(/^skblab ip listening on http:\/\/127\.0\.0\.1:\d+$/m);
    const all = await skblab(['logs', '--lab', lab]);
    expect(all.out).toMatch(/^supervisor +\| .* every service consumes$/m);
    for (const s of SERVICES) expect(all.out).toMatch(new RegExp(`^${s} +\\| skblab ${s} listening on`, 'm'));
    const none = await skblab(['logs', '--lab', lab, 'nosuch']);
    expect(none.status).toBe(1);
    expect(none.err).toContain(`lab '${lab}' has no log for 'nosuch'`);
  });

  it('keeps every service running after a malformed message on a hop topic (its warning goes to the log)', async () => {
    const { kafkaBrokers } = brokers();
    const producer = new Kafka({
      clientId: `${lab}-bad`,
      brokers: kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({
      topic: hopTopic(lab, 'ip_rcv'),
      messages: [{ value: Buffer.from('not an skb at all'), partition: 0 }],
    });
    await producer.disconnect();
    for (let i = 0; i < 100 && !/dead letter/.test((await skblab(['logs', '--lab', lab, 'rx'])).out); i++)
      await new Promise((r) => setTimeout(r, 200));
    expect((await skblab(['logs', '--lab', lab, 'rx'])).out).toMatch(/dead letter from skblab\.\S+\.ip_rcv/);
    await expectAllRunning(lab);
    const sh = await skblab(['exec', '--lab', lab], 'ping -c 2 -i 0.2 192.168.1.2\n');
    expect(sh.out).toContain('2 packets transmitted, 2 received');
    expect(sh.status).toBe(0);
  });

  it('refuses a second up of the running lab, naming who started it and when', async () => {
    const again = await skblab(['up', '--lab', lab]);
    expect(again.status).toBe(1);
    expect(again.err).toMatch(
      new RegExp(
        `^skblab: lab '${lab}' is running: started by ${os.userInfo().username} \\(pid \\d+ on ${os.hostname()}\\) at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; .*--replace`,
      ),
    );
    await expectAllRunning(lab);
  });

  it('restarts a service killed during a ping, says what the shell waits on, and has skblab restart', async () => {
    const before = await records(lab);
    const ping = skblab(['exec', '--lab', lab], 'ping -c 40 -i 0.2 192.168.1.2\n');
    // Once the ping runs, kill the ip service (kill -9: no goodbye to its consumer group).
    for (let i = 0; i < 600 && !/icmp_seq=3 /.test(ping.sofar()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(ping.sofar()).toContain('icmp_seq=3 ');
    process.kill(before.ip.pid, 'SIGKILL');
    const r = await ping;
    expect(r.out).toContain('40 packets transmitted, 40 received, 0% packet loss');
    expect(r.status).toBe(0);
    expect(r.err).toMatch(
      new RegExp(`skblab: lab '${lab}': waited \\d+ s for 1 skb in flight: the ip service has not taken`),
    );
    expect(r.err).toContain(`'skblab restart --lab ${lab} ip' restarts it`);
    expect(r.err).not.toMatch(NO_STACK);
    const after = await records(lab);
    expect(after.ip.pid).not.toBe(before.ip.pid);
    await expectAllRunning(lab);
    const sup = await skblab(['logs', '--lab', lab, 'supervisor']);
    expect(sup.out).toMatch(
      new RegExp(`ip \\(pid ${before.ip.pid}\\) was killed by SIGKILL .*restarting it in 1 s`),
    );

    const restart = await skblab(['restart', '--lab', lab, 'softirq']);
    expect(restart.err).toBe('');
    expect(restart.out).toMatch(
      new RegExp(`^skblab: lab ${lab}: softirq restarted \\(pid ${after.softirq.pid} -> \\d+\\)\\n$`),
    );
    expect((await records(lab)).softirq.pid).not.toBe(after.softirq.pid);
    const r2 = labRedis(lab);
    expect(await r2.hgetall('restarts').finally(() => r2.disconnect())).toEqual({ ip: '1', softirq: '1' });
    const sh = await skblab(['exec', '--lab', lab], 'ping -c 1 192.168.1.2\n');
    expect(sh.out).toContain('1 packets transmitted, 1 received');
    const bad = await skblab(['restart', '--lab', lab, 'nosuch']);
    expect(bad.status).toBe(1);
    expect(bad.err).toContain(`lab '${lab}' has no service 'nosuch'`);
  });

  it('down refuses a forged services entry, stops the rest and leaves nothing behind', async () => {
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    const r = labRedis(lab);
    await r.hset('services', 'fake', JSON.stringify({ pid: bystander.pid }));
    r.disconnect();
    try {
      const down = await skblab(['down', '--lab', lab]);
      expect(down.status).toBe(0);
      expect(down.out).toBe(`skblab: lab ${lab} down (${SERVICES.length} services stopped)\n`);
      expect(down.err).toContain(`refused to signal the services entry 'fake' of lab ${lab}`);
      expect([bystander.exitCode, bystander.signalCode]).toEqual([null, null]);
      expect(await leftovers(lab)).toEqual({ keys: [], topics: [], groups: [], folder: false });
      const again = await skblab(['down', '--lab', lab]);
      expect(again.status).toBe(1);
      expect(again.err).toBe(`skblab: no lab '${lab}': nothing in Redis or Kafka under that id\n`);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('an up lab and a Redis outage', () => {
  jest.setTimeout(300_000);

  it('leaves every service running and the lab answering a ping after a 3-second Redis outage', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-ops-redis-'));
    const url = `redis://127.0.0.1:${port}`;
    const startRedis = async (): Promise<ChildProcess> => {
      const p = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
        ],
        { stdio: 'ignore' },
      );
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
    const lab = `${brokers().testLab}-outage`;
    const env = { REDIS_URL: url };
    try {
      const up = await skblab(['up', '--lab', lab], '', env);
      expect(up.status).toBe(0);
      spawnSync('redis-cli', ['-p', String(port), 'shutdown']);
      await new Promise((r) => setTimeout(r, 3_000));
      redis = await startRedis();
      await new Promise((r) => setTimeout(r, 3_000));
      await expectAllRunning(lab, url);
      const sh = await skblab(['exec', '--lab', lab], 'ping -c 2 -i 0.2 192.168.1.2\n', env);
      expect(sh.out).toContain('2 packets transmitted, 2 received');
      expect(sh.status).toBe(0);
      // The services saw it (their logs say so) and went on; the supervisor restarted none.
      const r = labRedis(lab, url);
      expect(await r.hgetall('restarts').finally(() => r.disconnect())).toEqual({});

      // --replace: the running lab is stopped (every one of its processes) and started afresh.
      const before = await records(lab, url);
      const replaced = await skblab(['up', '--lab', lab, '--replace'], '', env);
      expect(replaced.status).toBe(0);
      expect(replaced.err).toMatch(
        new RegExp(`^skblab: replacing lab ${lab}, started by ${os.userInfo().username} \\(pid \\d+`),
      );
      for (const rec of Object.values(before)) expect(verify(rec)).toMatchObject({ ok: false, gone: true });
      await expectAllRunning(lab, url);
    } finally {
      const down = await skblab(['down', '--lab', lab], '', env);
      expect(down.out).toContain(`lab ${lab} down (${SERVICES.length} services stopped)`);
      redis.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run bench:distributed', () => {
  jest.setTimeout(600_000);

  it('completes on a fresh broker and leaves nothing in the temporary folder', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-ops-bench-'));
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TMPDIR: tmp,
        BENCH_RUNS: '1',
        BENCH_DATAGRAMS: '50',
        BENCH_PINGS: '3',
      };
      delete env.KAFKA_BROKERS; // its own, fresh broker
      env.REDIS_URL = brokers().redisUrl;
      env.BENCH_LAB_PREFIX = `${brokers().testLab}-bench`;
      const r = await new Promise<Run>((resolve) => {
        const c = spawn(process.execPath, [path.join(ROOT, 'bin', 'bench-distributed')], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (err += d));
        c.on('close', (status) => resolve({ status, out, err }));
      });
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      const res = JSON.parse(r.out) as {
        processes: { skblab: { udpDatagramsPerSec: number } };
        inProcess: unknown;
      };
      expect(res.processes.skblab.udpDatagramsPerSec).toBeGreaterThan(0);
      expect(res.inProcess).toBeDefined();
      // The broker's watchdog removes nothing more once the broker is stopped: give it a moment to see.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
