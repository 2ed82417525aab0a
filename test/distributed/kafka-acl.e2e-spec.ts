/**
 * Isolation of labs at Kafka, by credentials: a broker of this test's own (tools/kafka-broker, SASL/SCRAM
 * with KRaft's StandardAuthorizer, nothing allowed that no ACL allows), users alice and bob with a lab each
 * (lab-acls.ts's PREFIXED ACLs), a read-only instructor and an administrator (a super user). Alice's own
 * lab works, a whole lab included (every service in this process, logged in as alice); lab B's topics and
 * groups refuse her with authorization errors; a wrong password is refused; the instructor reads both labs
 * and writes neither. Users added at run time (scram-users.ts) can log in at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
  logLevel,
  type Admin,
  type KafkaConfig,
  type logCreator,
} from 'kafkajs';
import { HOP_LAYER, deadLetterTopic, hopTopics } from '@skblab/contracts';
import {
  INSTRUCTOR_GROUP_PREFIX,
  ScramCredentialError,
  createTopicsAndWait,
  deleteScramUsers,
  grantInstructor,
  grantLab,
  kafkaSasl,
  revokeLab,
  upsertScramUsers,
} from '@skblab/distributed';
import { brokers, inProcessLab } from './in-process';

jest.setTimeout(120_000);

interface BrokerModule {
  start(opts: object): Promise<{ bootstrap: string; sasl?: { mechanism: string; superUsers: string[] } }>;
  stop(opts: { dir: string; removeDir?: boolean; log?: (m: string) => void }): Promise<boolean>;
  status(opts: { dir: string }): Promise<{ running: boolean; ready: boolean }>;
}
const broker = require(path.resolve(__dirname, '../../tools/kafka-broker/broker.js')) as BrokerModule;

const PW = {
  alice: 'alice-password-0123',
  bob: 'bob-password-0123',
  instructor: 'instructor-password-0123',
  admin: 'admin-password-0123',
};
type User = keyof typeof PW;
const { testLab, redisUrl } = brokers();
// The run's own lab ids: the in-process lab keeps its state in the shared Redis of the run.
const LA = `${testLab}-la`;
const LB = `${testLab}-lb`;
const topic = (lab: string, hop = 'ip_rcv') => `skblab.${lab}.${hop}`;
const labTopics = (lab: string) => [...hopTopics(lab, Object.keys(HOP_LAYER)), deadLetterTopic(lab)];

let dir = '';
let bootstrap = '';
const opened: Array<{ disconnect(): Promise<void> }> = [];

function config(user: string, password: string, extra: Partial<KafkaConfig> = {}): KafkaConfig {
  return {
    clientId: `kafka-acl-${user}`,
    brokers: [bootstrap],
    sasl: kafkaSasl('scram-sha-512', user, password),
    logLevel: logLevel.NOTHING,
    // Retries ride out a new topic's leader settling; an authorization or login error is not retried.
    retry: { retries: 8, initialRetryTime: 100 },
    ...extra,
  };
}
const kafka = (user: User) => new Kafka(config(user, PW[user]));

async function adminAs(user: User): Promise<Admin> {
  const a = kafka(user).admin();
  await a.connect();
  opened.push(a);
  return a;
}

/** The error a promise rejects with (the test fails if it resolves). */
async function refusal(p: Promise<unknown>): Promise<{ name?: string; type?: string; cause?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as { name?: string; type?: string };
  }
  throw new Error('expected a refusal, and it was allowed');
}

async function produce(user: User, t: string, value: string): Promise<void> {
  const p = kafka(user).producer({ allowAutoTopicCreation: false });
  await p.connect();
  try {
    await p.send({ topic: t, messages: [{ value }] });
  } finally {
    await p.disconnect();
  }
}

/** Joins `groupId` and reads `topics` from the beginning until every value of `want` came; resolves what came. */
async function consume(user: User, groupId: string, topics: string[], want: string[]): Promise<string[]> {
  const c = kafka(user).consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await c.connect();
  try {
    await c.subscribe({ topics, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${user} got only ${JSON.stringify(got)}`)), 30_000);
      c.on(c.events.CRASH, ({ payload }) => {
        clearTimeout(timer);
        reject(payload.error);
      });
      c.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
          if (!want.every((w) => got.includes(w))) return;
          clearTimeout(timer);
          resolve();
        },
      }).catch(reject);
    });
    return got.sort();
  } finally {
    await c.disconnect();
  }
}

/**
 * Tries to join `groupId` (on a topic the user may read). kafkajs reports a refused FindCoordinator as
 * KafkaJSGroupCoordinatorNotFound and drops the broker's error, so its debug log is kept to read what the
 * broker answered.
 */
async function joinRefusal(user: User, groupId: string, t: string) {
  const answered: string[] = [];
  const collect: logCreator = () => (entry) => {
    const err = (entry.log as { error?: { type?: string } }).error;
    if (err?.type) answered.push(err.type);
  };
  const k = new Kafka(config(user, PW[user], { logLevel: logLevel.DEBUG, logCreator: collect }));
  const c = k.consumer({ groupId, retry: { retries: 0 } });
  const crashed = new Promise<Error>((resolve) =>
    c.on(c.events.CRASH, ({ payload }) => resolve(payload.error)),
  );
  await c.connect();
  try {
    await c.subscribe({ topics: [t], fromBeginning: true });
    await c.run({ eachMessage: async () => undefined });
    const error = (await crashed) as Error & { type?: string };
    return { name: error.name, type: error.type, answered };
  } finally {
    await c.disconnect();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-kafka-acl-'));
  const started = await broker.start({
    dir,
    port: 0,
    fresh: true,
    timeoutMs: 90_000,
    // Should this run die without its teardown, a watchdog stops the broker and removes dir.
    ownerPid: process.pid,
    removeDirWithOwner: true,
    log: () => undefined, // a failed start's error carries the broker log's tail
    sasl: {
      users: { alice: PW.alice, bob: PW.bob, instructor: PW.instructor, admin: PW.admin },
      superUsers: ['admin'],
    },
  });
  bootstrap = started.bootstrap;
  expect(started.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', superUsers: ['admin'] });

  const admin = await adminAs('admin');
  await grantLab(admin, LA, 'User:alice');
  await grantLab(admin, LB, 'User:bob');
  await grantInstructor(admin, 'User:instructor');
  // Lab B's topics by the administrator; lab A's by alice, as her own lab's start does (her CREATE).
  await createTopicsAndWait(
    admin,
    labTopics(LB).map((t) => ({ topic: t, numPartitions: 2 })),
  );
  // A lab whose id starts with lab A's: the prefix's trailing '.' must keep it out of alice's reach.
  await createTopicsAndWait(admin, [{ topic: topic(`${LA}x`), numPartitions: 1 }]);
  await createTopicsAndWait(
    await adminAs('alice'),
    labTopics(LA).map((t) => ({ topic: t, numPartitions: 2 })),
  );
  await produce('bob', topic(LB), 'b1');
  await produce('alice', topic(LA), 'a1');
}, 180_000);

afterAll(async () => {
  for (const c of opened) await c.disconnect().catch(() => undefined);
  if (dir) await broker.stop({ dir, removeDir: true, log: () => undefined });
  // The in-process lab's state, in the run's shared Redis (SCAN, not KEYS, there).
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `skblab:${LA}:*`, 'COUNT', 500);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
});

describe('the SASL broker (tools/kafka-broker)', () => {
  it('answers its readiness probe as its own SCRAM user, and keeps its passwords in files of its own', async () => {
    expect(await broker.status({ dir })).toMatchObject({ running: true, ready: true });
    expect(fs.statSync(path.join(dir, 'server.properties')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'sasl.json')).mode & 0o777).toBe(0o600);
    // The format's --add-scram arguments went through a file, deleted once read.
    expect(fs.existsSync(path.join(dir, 'format.args'))).toBe(false);
  });

  it('refuses users its configuration files could not carry, before starting anything', async () => {
    const never = path.join(dir, 'never');
    for (const sasl of [
      { users: { 'a b': 'password-0123' } },
      { users: { alice: 'short' } },
      { users: { alice: 'has "quotes" 0123' } },
      { users: { 'skblab-broker': 'password-0123' } },
      { superUsers: ['User:*'] },
    ])
      await expect(broker.start({ dir: never, sasl, log: () => undefined })).rejects.toThrow(/^sasl: /);
    expect(fs.existsSync(never)).toBe(false);
  });
});

describe("a lab's user at Kafka", () => {
  it('produces to and consumes from its own lab, in a group of the lab', async () => {
    await produce('alice', topic(LA), 'a2');
    expect(await consume('alice', `${LA}.x`, [topic(LA)], ['a1', 'a2'])).toEqual(['a1', 'a2']);
  });

  it("sees only its own lab's topics", async () => {
    const seen = await (await adminAs('alice')).listTopics();
    expect(seen.sort()).toEqual(labTopics(LA).sort());
  });

  it("is refused another lab's topics and groups with authorization errors", async () => {
    // Producing: she may not even see the topic, so kafkajs's metadata request gives up, saying why in its cause.
    const produced = await refusal(produce('alice', topic(LB), 'mine'));
    expect(produced.name).toBe('KafkaJSNonRetriableError');
    expect(produced.cause).toMatchObject({
      name: 'KafkaJSProtocolError',
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    // Consuming, in a group of her own lab.
    const c = kafka('alice').consumer({ groupId: `${LA}.x`, retry: { retries: 0 } });
    await c.connect();
    opened.push(c);
    expect(await refusal(c.subscribe({ topics: [topic(LB)], fromBeginning: true }))).toMatchObject({
      name: 'KafkaJSProtocolError',
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    // Joining lab B's ip service's group (on her own topic): the broker refuses to name its coordinator.
    expect(await joinRefusal('alice', `${LB}.ip`, topic(LA))).toEqual({
      name: 'KafkaJSGroupCoordinatorNotFound',
      type: undefined,
      answered: expect.arrayContaining(['GROUP_AUTHORIZATION_FAILED']),
    });
    // Creating a topic in lab B, and a lab whose id only starts with hers.
    const created = (await refusal(
      (await adminAs('alice')).createTopics({ topics: [{ topic: topic(LB, 'mine') }] }),
    )) as { errors?: { type?: string }[] };
    expect(created.errors?.map((e) => e.type)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(((await refusal(produce('alice', topic(`${LA}x`), 'mine'))).cause as { type?: string }).type).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    // Lab B holds only bob's message.
    expect(await consume('admin', `${LB}.check`, [topic(LB)], ['b1'])).toEqual(['b1']);
  });

  it('needs its password: a wrong one is refused at log-in', async () => {
    const a = new Kafka(config('alice', 'not-the-password')).admin();
    expect(await refusal(a.connect())).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    const nobody = new Kafka(config('mallory', 'whatever-password')).admin();
    expect(await refusal(nobody.connect())).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });
});

describe('the instructor', () => {
  it('reads every lab, in groups of their own, and writes none', async () => {
    const got = await consume(
      'instructor',
      `${INSTRUCTOR_GROUP_PREFIX}watch`,
      [topic(LA), topic(LB)],
      ['a1', 'b1'],
    );
    expect(got).toEqual(expect.arrayContaining(['a1', 'b1']));
    // It may see the topic (DESCRIBE), so the refusal is the produce request's own.
    expect(await refusal(produce('instructor', topic(LA), 'x'))).toMatchObject({
      name: 'KafkaJSProtocolError',
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    // A lab's own group would take partitions from its services.
    // It may describe every group, so it finds the coordinator, and the join itself is refused.
    expect(await joinRefusal('instructor', `${LA}.ip`, topic(LA))).toMatchObject({
      name: 'KafkaJSProtocolError',
      type: 'GROUP_AUTHORIZATION_FAILED',
    });
    // What a stalled shell asks (a lab's groups and their offsets) it may ask of every lab.
    const offsets = await (
      await adminAs('instructor')
    ).fetchOffsets({ groupId: `${LA}.x`, topics: [topic(LA)] });
    expect(offsets.map((t) => [t.topic, t.partitions.length])).toEqual([[topic(LA), 2]]);
  });
});

describe('granting', () => {
  it('refuses a lab id that would widen the prefix, and a wildcard principal', async () => {
    const admin = await adminAs('admin');
    const before = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    for (const bad of ['*', 'a:b', '..', 'x'.repeat(1000), '', 'Lab', 'skblab.', 1, null])
      await expect(grantLab(admin, bad as string, 'User:alice')).rejects.toThrow(/invalid lab id/);
    await expect(grantLab(admin, LA, 'User:*')).rejects.toThrow(/invalid principal/);
    await expect(grantLab(admin, LA, 'alice')).rejects.toThrow(/invalid principal/);
    const after = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const sorted = (r: typeof before) => r.resources.map((x) => JSON.stringify(x)).sort();
    expect(sorted(after)).toEqual(sorted(before));
    // Alice's ACLs are her lab's two prefixes, nothing else.
    const hers = after.resources.filter((r) => r.acls.some((a) => a.principal === 'User:alice'));
    expect(hers.map((r) => [r.resourceType, r.resourcePatternType, r.resourceName]).sort()).toEqual(
      [
        [AclResourceTypes.TOPIC, ResourcePatternTypes.PREFIXED, `skblab.${LA}.`],
        [AclResourceTypes.GROUP, ResourcePatternTypes.PREFIXED, `${LA}.`],
      ].sort(),
    );
  });

  it('adds a user at run time (AlterUserScramCredentials), whom only an administrator may add', async () => {
    const carol = { name: 'carol', password: 'carol-password-0123' };
    const asAdmin = config('admin', PW.admin);
    await upsertScramUsers(asAdmin, [carol]);
    const c = new Kafka(config(carol.name, carol.password)).admin();
    await c.connect();
    opened.push(c);
    expect(await c.listTopics()).toEqual([]); // logged in, and granted nothing
    const byAlice = await refusal(
      upsertScramUsers(config('alice', PW.alice), [{ name: 'mallory', password: 'x'.repeat(12) }]),
    );
    expect(byAlice).toBeInstanceOf(ScramCredentialError);
    expect(byAlice).toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
    await deleteScramUsers(asAdmin, [{ name: 'carol' }]);
    const gone = new Kafka(config(carol.name, carol.password)).admin();
    expect(await refusal(gone.connect())).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });
});

describe("a whole lab on its user's credentials", () => {
  it('runs: a ping over lo through every service, logged in as alice', async () => {
    const lab = await inProcessLab('la', () => undefined, {
      kafkaBrokers: [bootstrap],
      kafkaSasl: kafkaSasl('scram-sha-512', 'alice', PW.alice),
    });
    try {
      const r = await lab.run('ping -c 2 127.0.0.1\n');
      expect(r.out).toContain('2 packets transmitted, 2 received, 0% packet loss');
      expect(r.status).toBe(0);
    } finally {
      await lab.stop();
    }
  });

  it('stops working for its user once the lab is revoked', async () => {
    const admin = await adminAs('admin');
    expect(await revokeLab(admin, LA, 'User:alice')).toBe(6);
    // ACLs reach the authorizer through the metadata log: a moment after the answer.
    let last: unknown = null;
    for (let i = 0; i < 50; i++) {
      last = await produce('alice', topic(LA), 'after').then(
        () => null,
        (e: { cause?: { type?: string } }) => e.cause?.type,
      );
      if (last) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toBe('TOPIC_AUTHORIZATION_FAILED');
  });
});
