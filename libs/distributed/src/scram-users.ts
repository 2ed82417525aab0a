/**
 * Kafka's SCRAM users at run time (a student who joins a class after the broker started): the
 * AlterUserScramCredentials request (KIP-554, API key 51), sent by a super user (or one allowed ALTER on
 * the cluster).
 *
 * kafkajs has no call for it, so the request is sent on a kafkajs connection, authenticated as kafkajs
 * authenticates its own: a kafkajs Cluster (its internal module; kafkajs is pinned at 2.2.4 and no longer
 * released, so it will not move) gives the connection, and this module encodes the request and decodes the
 * answer. That costs no JVM per user, as kafka-configs.sh (kafka.admin.ConfigCommand) would: ~2 s of a
 * 256 MB JVM each time.
 *
 * Every version of the request is "flexible" (compact strings and arrays, tagged fields); kafkajs writes
 * request header v1, and header v2 is v1 plus an empty tagged-field section, which the body below starts
 * with. The password never leaves this process: what is sent is the salted password (PBKDF2, as SCRAM's
 * Hi()), from which the broker derives the stored and server keys.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramUser {
  name: string;
  password: string;
  /** Default SCRAM-SHA-512. */
  mechanism?: ScramMechanism;
  /** PBKDF2 iterations: 4096 (the broker's minimum) to 16384. Default 8192. */
  iterations?: number;
}

/** A user the broker refused to change: its name and Kafka's error (never the password). */
export class ScramCredentialError extends Error {
  constructor(
    readonly user: string,
    readonly type: string,
    readonly code: number,
    detail: string | null,
  ) {
    super(`SCRAM credential of ${user}: ${type}${detail ? ` (${detail})` : ''}`);
    this.name = 'ScramCredentialError';
  }
}

const API_KEY = 51; // AlterUserScramCredentials
const MECHANISM = {
  'SCRAM-SHA-256': { id: 1, hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { id: 2, hash: 'sha512', bytes: 64 },
} as const;
/** The error codes this request answers with, by name (kafkajs's table stops before some of them). */
const ERRORS: Record<number, string> = {
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  33: 'UNSUPPORTED_SASL_MECHANISM',
  42: 'INVALID_REQUEST',
  91: 'RESOURCE_NOT_FOUND',
  92: 'DUPLICATE_RESOURCE',
  93: 'UNACCEPTABLE_CREDENTIAL',
};

// kafkajs's internals: its Cluster (bootstrap list, SASL, retries), logger, socket factory, encoder, decoder.
interface Encoder {
  writeInt8(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeUVarInt(v: number): Encoder;
  writeUVarIntString(v: string): Encoder;
  writeUVarIntBytes(v: Buffer): Encoder;
}
interface Decoder {
  readInt16(): number;
  readInt32(): number;
  readUVarInt(): number;
  readUVarIntString(): string | null;
  readTaggedFields(): unknown;
}
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  brokerPool: { seedBroker: { connectionPool: { send<T>(r: ProtocolRequest<T>): Promise<T> } } };
}
interface ProtocolRequest<T> {
  request: { apiKey: number; apiVersion: number; apiName: string; encode(): Promise<Encoder> };
  response: { decode(payload: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
}
const KafkaEncoder = require('kafkajs/src/protocol/encoder') as new () => Encoder;
const KafkaDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => Decoder;
const KafkaCluster = require('kafkajs/src/cluster') as new (opts: object) => Cluster;
const { createLogger } = require('kafkajs/src/loggers') as { createLogger(o: object): unknown };
const LoggerConsole = require('kafkajs/src/loggers/console') as unknown;
const socketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;

interface Upsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}
interface Deletion {
  name: string;
  mechanism: number;
}
interface Result {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

function upsertion(u: ScramUser): Upsertion {
  const m = MECHANISM[u.mechanism ?? 'SCRAM-SHA-512'];
  if (!m) throw new Error(`SCRAM credential of ${u.name}: unknown mechanism ${String(u.mechanism)}`);
  const iterations = u.iterations ?? 8192;
  if (!Number.isInteger(iterations) || iterations < 4096 || iterations > 16384)
    throw new Error(`SCRAM credential of ${u.name}: iterations must be 4096..16384 (got ${iterations})`);
  if (typeof u.password !== 'string' || u.password === '')
    throw new Error(`SCRAM credential of ${u.name}: empty password`);
  const salt = randomBytes(32);
  const saltedPassword = pbkdf2Sync(u.password, salt, iterations, m.bytes, m.hash);
  return { name: u.name, mechanism: m.id, iterations, salt, saltedPassword };
}

function alterRequest(deletions: Deletion[], upsertions: Upsertion[]): ProtocolRequest<Result[]> {
  return {
    request: {
      apiKey: API_KEY,
      apiVersion: 0,
      apiName: 'AlterUserScramCredentials',
      encode: async () => {
        const e = new KafkaEncoder().writeUVarInt(0); // request header v2's tagged fields
        e.writeUVarInt(deletions.length + 1);
        for (const d of deletions) e.writeUVarIntString(d.name).writeInt8(d.mechanism).writeUVarInt(0);
        e.writeUVarInt(upsertions.length + 1);
        for (const u of upsertions)
          e.writeUVarIntString(u.name)
            .writeInt8(u.mechanism)
            .writeInt32(u.iterations)
            .writeUVarIntBytes(u.salt)
            .writeUVarIntBytes(u.saltedPassword)
            .writeUVarInt(0);
        return e.writeUVarInt(0);
      },
    },
    response: {
      decode: async (payload) => {
        const d = new KafkaDecoder(payload);
        d.readTaggedFields(); // response header v1
        d.readInt32(); // throttle_time_ms
        const results: Result[] = [];
        for (let n = d.readUVarInt() - 1; n > 0; n--) {
          const user = d.readUVarIntString() ?? '';
          const errorCode = d.readInt16();
          const errorMessage = d.readUVarIntString();
          d.readTaggedFields();
          results.push({ user, errorCode, errorMessage });
        }
        return results;
      },
      parse: async (results) => results,
    },
  };
}

/** Sends one AlterUserScramCredentials request as `admin` (a kafkajs configuration: brokers, sasl...). */
async function alter(admin: KafkaConfig, deletions: Deletion[], upsertions: Upsertion[]): Promise<void> {
  const cluster = new KafkaCluster({
    ...admin,
    clientId: admin.clientId ?? 'skblab-scram-users',
    logger: createLogger({ level: admin.logLevel ?? 0, logCreator: admin.logCreator ?? LoggerConsole }),
    socketFactory: admin.socketFactory ?? socketFactory(),
    connectionTimeout: admin.connectionTimeout ?? 3000,
  });
  try {
    await cluster.connect();
    const results = await cluster.brokerPool.seedBroker.connectionPool.send(
      alterRequest(deletions, upsertions),
    );
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed)
      throw new ScramCredentialError(
        failed.user,
        ERRORS[failed.errorCode] ?? `error ${failed.errorCode}`,
        failed.errorCode,
        failed.errorMessage,
      );
  } finally {
    await cluster.disconnect();
  }
}

/** Creates the users, or sets their passwords: they can log in as soon as this resolves. */
export async function upsertScramUsers(admin: KafkaConfig, users: ScramUser[]): Promise<void> {
  if (users.length) await alter(admin, [], users.map(upsertion));
}

/** Deletes the users' credentials (new logins fail; connections already open stay until they close). */
export async function deleteScramUsers(
  admin: KafkaConfig,
  users: { name: string; mechanism?: ScramMechanism }[],
): Promise<void> {
  const deletions = users.map((u) => ({
    name: u.name,
    mechanism: MECHANISM[u.mechanism ?? 'SCRAM-SHA-512'].id,
  }));
  if (deletions.length) await alter(admin, deletions, []);
}

/** The kafkajs `sasl` option for a SCRAM user. */
export function scramSasl(u: ScramUser): SASLOptions {
  return {
    mechanism: u.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512',
    username: u.name,
    password: u.password,
  };
}
