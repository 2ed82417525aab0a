/**
 * Isolation of labs at Redis, by credentials: a redis-server of this test's own with ACLs on (the default
 * user needs a password), a user per lab (redis-acls.ts) and an instructor. A lab runs whole (every service
 * in this process) on its user's credentials; that user cannot read, write, list or subscribe to another
 * lab, nor reach past its keys (KEYS, SCAN, FLUSHALL, ACL, FUNCTION).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import {
  grantRedisInstructor,
  grantRedisLab,
  keyPrefix,
  labAclRules,
  revokeRedisUser,
} from '@skblab/distributed';
import { brokers, inProcessLab } from './in-process';

jest.setTimeout(120_000);

const ADMIN_PW = 'admin-password-0123456789';
const PW = { la: 'la-password-0123456789', lb: 'lb-password-0123456789', teacher: 'teacher-pw-0123456789' };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let server: ChildProcess;
let port = 0;
let dir = '';
let admin: Redis;
const clients: Redis[] = [];
const { testLab } = brokers();
// Lab ids of this run (the test's own server, but ids as a lab would have them).
const LA = `${testLab}-acl-a`;
const LB = `${testLab}-acl-b`;

/** A connection as `user` (lazy: errors surface on the first command). */
function as(user: string, password: string): Redis {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    username: user,
    password,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  r.on('error', () => undefined);
  clients.push(r);
  return r;
}

/** The reply's error, or null: what Redis said to a command. */
async function refusal(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

beforeAll(async () => {
  port = await freePort();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-redis-acl-'));
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG')
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  admin = new Redis({ port, host: '127.0.0.1' });
  // From here on, no connection without credentials: the default user is the administrator's.
  await admin.acl('SETUSER', 'default', 'on', `>${ADMIN_PW}`, '~*', '&*', '+@all');
  await grantRedisLab(admin, LA, 'lab-a', PW.la);
  await grantRedisLab(admin, LB, 'lab-b', PW.lb);
  await grantRedisInstructor(admin, 'teacher', PW.teacher);
  // Lab B's state, which lab A's user must neither see nor change.
  await admin.set(`${keyPrefix(LB)}topology`, '"lab b"');
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  admin?.disconnect();
  server?.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a lab user at Redis', () => {
  it("works in its own lab's keys and channels", async () => {
    const a = as('lab-a', PW.la);
    await a.set(`${keyPrefix(LA)}x`, '1');
    expect(await a.incr(`${keyPrefix(LA)}x`)).toBe(2);
    expect(await a.publish(`${keyPrefix(LA)}idle`, '0')).toBe(0);
    const sub = as('lab-a', PW.la);
    expect(await sub.subscribe(`${keyPrefix(LA)}idle`)).toBe(1);
  });

  it("is refused another lab's keys and channels, and what reaches past its keys", async () => {
    const a = as('lab-a', PW.la);
    const other = `${keyPrefix(LB)}topology`;
    expect(await refusal(a.get(other))).toMatch(/^NOPERM .*key/);
    expect(await refusal(a.set(other, 'mine'))).toMatch(/^NOPERM .*key/);
    expect(await refusal(a.del(other))).toMatch(/^NOPERM .*key/);
    expect(await refusal(a.publish(`${keyPrefix(LB)}advance`, '1'))).toMatch(/^NOPERM .*channel/);
    const sub = as('lab-a', PW.la);
    expect(await refusal(sub.subscribe(`${keyPrefix(LB)}idle`))).toMatch(/^NOPERM .*channel/);
    for (const cmd of [
      a.keys('*'),
      a.scan('0'),
      a.flushall(),
      a.acl('LIST'),
      a.call('PUBSUB', 'CHANNELS'),
      a.call('FUNCTION', 'FLUSH'),
      a.config('GET', 'dir'),
      a.dbsize(),
      // Broadcast tracking would name every key any client changes, other labs' included.
      a.call('CLIENT', 'TRACKING', 'on', 'BCAST'),
    ])
      expect(await refusal(cmd)).toMatch(/^NOPERM /);
    // A script can touch only the keys it may.
    expect(await refusal(a.eval("return redis.call('GET', KEYS[1])", 1, other))).toMatch(
      /NOPERM|No permissions/,
    );
    expect(await admin.get(other)).toBe('"lab b"');
  });

  it('needs its password: none, or a wrong one, is refused', async () => {
    const anon = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true });
    anon.on('error', () => undefined);
    clients.push(anon);
    expect(await refusal(anon.get(`${keyPrefix(LA)}x`))).toMatch(/^NOAUTH /);
    expect(await refusal(as('lab-a', 'not-the-password-0000').ping())).toMatch(/^WRONGPASS /);
  });

  it('the instructor reads every lab and changes none', async () => {
    const t = as('teacher', PW.teacher);
    expect(await t.get(`${keyPrefix(LB)}topology`)).toBe('"lab b"');
    expect(await t.get(`${keyPrefix(LA)}x`)).toBe('2');
    expect(await refusal(t.set(`${keyPrefix(LB)}topology`, 'x'))).toMatch(/^NOPERM .*key/);
    // A publish on a lab's advance channel would move its simulated time.
    expect(await refusal(t.publish(`${keyPrefix(LB)}advance`, '999'))).toMatch(/^NOPERM /);
    const sub = as('teacher', PW.teacher);
    expect(await sub.subscribe(`${keyPrefix(LB)}idle`)).toBe(1);
  });

  it('refuses a lab id that would widen the pattern, and a short password', () => {
    for (const bad of ['*', 'a:b', '..', 'a*', 'x'.repeat(1000), ''])
      expect(() => labAclRules(bad, PW.la)).toThrow(/invalid lab id/);
    expect(() => labAclRules(LA, 'short')).toThrow(/at least 16/);
  });

  it('a revoked user is refused at once', async () => {
    await grantRedisLab(admin, `${testLab}-acl-c`, 'lab-c', 'lab-c-password-012345');
    const c = as('lab-c', 'lab-c-password-012345');
    expect(await c.ping()).toBe('PONG');
    await revokeRedisUser(admin, 'lab-c');
    await new Promise((r) => setTimeout(r, 100));
    expect(await refusal(c.ping())).not.toBeNull();
  });
});

describe("a whole lab on its user's credentials", () => {
  it('runs: a ping over lo through every service, and lab B is untouched', async () => {
    const url = `redis://lab-a:${PW.la}@127.0.0.1:${port}`;
    const lab = await inProcessLab('acl-a', () => undefined, { redisUrl: url });
    try {
      const r = await lab.run('ping -c 2 127.0.0.1\n');
      expect(r.out).toContain('2 packets transmitted, 2 received, 0% packet loss');
      expect(r.status).toBe(0);
    } finally {
      await lab.stop();
    }
    expect(await admin.get(`${keyPrefix(LB)}topology`)).toBe('"lab b"');
    // What the lab wrote is under its own prefix only.
    const keys = await admin.keys('*');
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.filter((k) => !k.startsWith(keyPrefix(LA)) && !k.startsWith(keyPrefix(LB)))).toEqual([]);
  });
});
