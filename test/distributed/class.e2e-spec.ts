/**
 * A class: one set of layer services (real processes, SKBLAB_CLASS) serving many labs, made and deleted at
 * run time through the control service's /labs with the instructor's token. Each lab works on its own (a
 * ping across its wire), a lab's counters are its own, and a deleted lab's keys and topics are gone while
 * the others keep working.
 */
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { HOP_SERVICES, type LayerName } from '@skblab/contracts';
import { classLabsKey, keyPrefix, KEYS } from '@skblab/distributed';
import { defaultCommands } from '@skblab/userland';
import { newShell } from '@skblab/shell';
import {
  openDistributedLab,
  serviceBundles,
  startService,
  stopChildren,
  waitReady,
  type DistributedLab,
  type Started,
} from '../../apps/cli/src/distributed';
import { brokers } from './in-process';

jest.setTimeout(240_000);

const TOKEN = 'instructor-0123456789abcdef';

describe('a class: many labs on one set of services', () => {
  const b = brokers();
  const classId = `${b.testLab}-class`;
  const labA = `${b.testLab}-cla`;
  const labB = `${b.testLab}-clb`;
  const br = { kafka: b.kafkaBrokers, redisUrl: b.redisUrl };
  const started: Started[] = [];
  let control = '';
  const redis = new Redis(b.redisUrl, { maxRetriesPerRequest: null });
  const opened: DistributedLab[] = [];

  const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
    fetch(`${control}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    const env = { SKBLAB_CLASS: classId, SKBLAB_INSTRUCTOR_TOKEN: TOKEN };
    const bundles = await serviceBundles();
    const { ensureServices } = require('../../libs/service/build.js') as {
      ensureServices(l: readonly string[]): Promise<string[]>;
    };
    const [controlBundle] = await ensureServices(['control']);
    const all = await Promise.all([
      startService('control', controlBundle, classId, br, false, 'control', 60_000, env),
      ...HOP_SERVICES.map((l: LayerName) =>
        startService(l, bundles.get(l)!, classId, br, false, l, 60_000, env),
      ),
    ]);
    started.push(...all);
    control = all[0].url;
  });

  afterAll(async () => {
    for (const o of opened) await o.close().catch(() => undefined);
    await stopChildren(started.map((s) => s.child));
    for (const lab of [labA, labB]) {
      const keys = await redis.keys(`${keyPrefix(lab)}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.del(classLabsKey(classId));
    redis.disconnect();
  });

  async function shellOn(lab: string) {
    const o = await openDistributedLab({
      labId: lab,
      spawn: false,
      hosts: [],
      brokers: br,
      announce: () => undefined,
    });
    opened.push(o);
    let out = '';
    const sh = newShell(o.lab, o.lab.hosts.get('host1')!, defaultCommands(), {
      out: (s) => void (out += s),
      err: (s) => void (out += s),
      aroundLine: o.aroundLine('host1'),
    });
    return async (line: string) => {
      out = '';
      const status = await sh.runLine(line);
      return { out, status };
    };
  }

  it('refuses changes without the instructor token and bad lab ids', async () => {
    expect((await call('POST', '/labs', { id: labA }, null)).status).toBe(401);
    expect((await call('POST', '/labs', { id: labA }, 'not-the-token-0123456789')).status).toBe(401);
    const bad = await call('POST', '/labs', { id: 'a*b' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain(`id must be 1-63 lower-case letters`);
    expect((await call('POST', '/labs', { id: 'x'.repeat(1000) })).status).toBe(400);
    expect((await call('DELETE', `/labs/${labA}`, undefined, null)).status).toBe(401);
    expect(await (await call('GET', '/labs', undefined, null)).json()).toEqual({ labs: [] });
    // A lab that exists outside the class (a lab of its own, or another class's) is not this class's.
    const other = `${b.testLab}-clx`;
    await redis.set(`${keyPrefix(other)}${KEYS.topology}`, '[]');
    try {
      const taken = await call('POST', '/labs', { id: other });
      expect(taken.status).toBe(409);
      expect(JSON.stringify(await taken.json())).toContain(`lab ${other} exists already, outside class`);
      expect((await call('DELETE', `/labs/${other}`)).status).toBe(404);
      expect(await redis.exists(`${keyPrefix(other)}${KEYS.topology}`)).toBe(1);
    } finally {
      await redis.del(`${keyPrefix(other)}${KEYS.topology}`);
    }
  });

  it('makes labs at run time that the same services serve, each on its own', async () => {
    for (const id of [labA, labB]) expect((await call('POST', '/labs', { id })).status).toBe(201);
    expect((await call('POST', '/labs', { id: labA })).status).toBe(409);
    expect(await (await call('GET', '/labs', undefined, null)).json()).toEqual({ labs: [labA, labB].sort() });
    for (const lab of [labA, labB]) {
      const r = new Redis(b.redisUrl, { keyPrefix: keyPrefix(lab), maxRetriesPerRequest: null });
      try {
        await waitReady(r, HOP_SERVICES, 60_000);
      } finally {
        r.disconnect();
      }
    }
    const a = await shellOn(labA);
    const bsh = await shellOn(labB);
    const pa = await a('ping -c 2 192.168.1.2');
    expect(pa.out).toContain('2 packets transmitted, 2 received');
    expect(pa.status).toBe(0);
    const pb = await bsh('ping -c 1 192.168.1.2');
    expect(pb.out).toContain('1 packets transmitted, 1 received');
    // Each lab's counters are its own: lab A's two pings, lab B's one (plus what ARP moved: nothing in Icmp).
    const icmp = async (run: typeof a) => {
      const t = (await run('nstat -az IcmpOutEchos')).out;
      return Number(/IcmpOutEchos\s+(\d+)/.exec(t)?.[1]);
    };
    expect(await icmp(a)).toBe(2);
    expect(await icmp(bsh)).toBe(1);
    // One process per layer served both labs.
    const state = (await (await fetch(`${started.find((s) => s.layer === 'ip')!.url}/state`)).json()) as {
      classId: string;
      labs: Record<string, unknown>;
    };
    expect(state.classId).toBe(classId);
    expect(Object.keys(state.labs).sort()).toEqual([labA, labB].sort());
  });

  it('deletes a lab: its keys and topics go, the other lab keeps working', async () => {
    for (const o of opened.splice(0)) await o.close();
    const del = await call('DELETE', `/labs/${labB}`);
    expect(del.status).toBe(200);
    const body = (await del.json()) as { keys: number; topics: number };
    expect(body.topics).toBeGreaterThan(0);
    expect(await redis.exists(`${keyPrefix(labB)}${KEYS.topology}`)).toBe(0);
    const admin = new Kafka({
      clientId: 'class-test',
      brokers: b.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).filter((t) => t.startsWith(`skblab.${labB}.`))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    expect((await call('DELETE', `/labs/${labB}`)).status).toBe(404);
    // Lab A has been idle: its partitions are paused (a fetch names only busy labs' partitions) until the
    // shell's next skb, whose MULTI says the lab is busy before the skb is in Kafka.
    const ip = started.find((s) => s.layer === 'ip')!.url;
    const paused = async () => ((await (await fetch(`${ip}/state`)).json()) as { paused: string[] }).paused;
    const until = Date.now() + 30_000;
    while (!(await paused()).includes(labA) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 500));
    expect(await paused()).toEqual([labA]);
    expect(await (await call('GET', '/labs', undefined, null)).json()).toEqual({ labs: [labA] });
    const a = await shellOn(labA);
    const r = await a('ping -c 1 192.168.1.2');
    expect(r.out).toContain('1 packets transmitted, 1 received');
    expect(await paused()).toEqual([]);
  });
});
