/**
 * A service's configuration, read from the environment once at start-up and validated with class-validator.
 * Anything wrong stops the service with one message that lists every problem (ServiceConfigError).
 *
 *   KAFKA_BROKERS              required   host:port[,host:port…]
 *   REDIS_URL                  required   redis://[user:pass@]host[:port][/db] (or rediss://)
 *   SKBLAB_LAB_ID              'local'    lower-case letters, digits and '-' (names the Kafka client, the
 *                                         consumer group and the Redis key prefix)
 *   SKBLAB_CLASS               optional   serve every lab of this class (class-labs.ts) instead of one
 *   SKBLAB_INSTRUCTOR_TOKEN    optional   the control service of a class: the bearer token that may add
 *                                         and delete its labs (16-256 printable characters; never shown)
 *   SKBLAB_LAYER               optional   if set, must name the service being started (catches a mix-up)
 *   SKBLAB_INSTANCE            the layer  this replica's name (`nic-2`), when a layer runs several: it keys
 *                                         the replica's own state in Redis (readiness, timers, journal)
 *   PORT                       0          HTTP port; 0 picks a free one
 *   HOST                       127.0.0.1  HTTP address to listen on (0.0.0.0 in a container)
 *   SKBLAB_CONNECT_TIMEOUT_MS  5000       Kafka and Redis connection timeouts
 *   SKBLAB_HEALTH_TIMEOUT_MS   3000       how long one /healthz check may wait for Kafka or Redis
 *   KAFKA_SASL_USERNAME        optional   the user the service logs in to Kafka as (SASL/SCRAM)
 *   KAFKA_SASL_PASSWORD        optional   its password, set with the user (never shown)
 *   KAFKA_SASL_MECHANISM       scram-sha-512  or scram-sha-256. None of the three set: no SASL (the rule is
 *                                         libs/distributed's kafka-sasl.ts, which the CLI reads by too)
 *   SKBLAB_OTLP_ENDPOINT       optional   an OTLP/HTTP collector's base URL (http:// or https://): the
 *                                         service exports its kernel steps as spans (libs/distributed's
 *                                         otlp.ts) to <url>/v1/traces
 */
import { isIP, ValidateBy, validateSync, type ValidationArguments } from 'class-validator';
import { isLabId, LAB_ID_RULE } from '@skblab/contracts';
import { kafkaSaslFromEnv, redactUrl, type KafkaSasl, KAFKA_SASL_ENV_VARS } from '@skblab/distributed';
import { isLayerName, LAYERS, type LayerName } from './layers';

export interface ServiceConfig {
  layer: LayerName;
  /** The replica's name (the layer's when it runs alone). */
  instance: string;
  labId: string;
  /**
   * The class this service serves every lab of (SKBLAB_CLASS: class-labs.ts), instead of the one lab
   * SKBLAB_LAB_ID names.
   */
  classId?: string;
  /** What the control service of a class wants as the bearer of a change to its labs (never shown). */
  instructorToken?: string;
  kafkaBrokers: string[];
  /** The Kafka user the service logs in as (SASL), or none. */
  kafkaSasl?: KafkaSasl;
  redisUrl: string;
  /** The OTLP/HTTP collector the service exports its steps to, or none. */
  otlpEndpoint?: string;
  port: number;
  host: string;
  connectTimeoutMs: number;
  healthTimeoutMs: number;
  /** `skblab-<lab>-<layer>` */
  kafkaClientId: string;
  /** `<lab>.<layer>`: all instances of one layer share the partitions (Nest's server appends `-server`). */
  kafkaGroupId: string;
  /** `skblab:<lab>:` */
  redisKeyPrefix: string;
}

export class ServiceConfigError extends Error {
  constructor(
    readonly layer: string,
    readonly problems: string[],
  ) {
    super(`invalid environment for skblab ${layer}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ServiceConfigError';
  }
}

/** What a variable held, for an error message; a URL's password is not repeated. */
const got = (a: ValidationArguments) =>
  a.value === undefined
    ? 'not set'
    : `got ${JSON.stringify(typeof a.value === 'string' ? redactUrl(a.value) : a.value)}`;

function check(name: string, test: (v: unknown) => boolean, message: (a: ValidationArguments) => string) {
  return ValidateBy({ name, validator: { validate: test, defaultMessage: message } });
}

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}))$/;
const inRange = (v: string, min: number, max: number) => /^\d{1,9}$/.test(v) && +v >= min && +v <= max;

function isBrokerList(v: unknown): boolean {
  if (typeof v !== 'string' || v.trim() === '') return false;
  return v.split(',').every((b) => {
    const m = /^(.+):(\d+)$/.exec(b.trim());
    return !!m && HOST.test(m[1]) && inRange(m[2], 1, 65535);
  });
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function isRedisUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const intBetween = (min: number, max: number) =>
  check(
    `intBetween${min}_${max}`,
    (v) => typeof v === 'string' && inRange(v, min, max),
    (a) => `${a.property} must be an integer from ${min} to ${max} (${got(a)})`,
  );

/** The raw variables, as strings: what the environment gave, before defaults are applied. */
class ServiceEnv {
  @check(
    'isBrokerList',
    isBrokerList,
    (a) => `KAFKA_BROKERS must be a comma-separated list of host:port, e.g. 127.0.0.1:9092 (${got(a)})`,
  )
  KAFKA_BROKERS?: string;

  @check(
    'isRedisUrl',
    isRedisUrl,
    (a) => `REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (${got(a)})`,
  )
  REDIS_URL?: string;

  @check('isLabId', isLabId, (a) => `SKBLAB_LAB_ID must be ${LAB_ID_RULE} (${got(a)})`)
  SKBLAB_LAB_ID = 'local';

  @check(
    'isClassId',
    (v) => v === undefined || isLabId(v),
    (a) => `SKBLAB_CLASS must be ${LAB_ID_RULE} (${got(a)})`,
  )
  SKBLAB_CLASS?: string;

  @check(
    'isToken',
    (v) => v === undefined || (typeof v === 'string' && /^[\x21-\x7e]{16,256}$/.test(v)),
    () => 'SKBLAB_INSTRUCTOR_TOKEN must be 16-256 printable characters without spaces',
  )
  SKBLAB_INSTRUCTOR_TOKEN?: string;

  @check(
    'isOtlpEndpoint',
    (v) => v === undefined || isHttpUrl(v),
    (a) => `SKBLAB_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://127.0.0.1:4318 (${got(a)})`,
  )
  SKBLAB_OTLP_ENDPOINT?: string;

  @check(
    'isInstance',
    (v) => v === undefined || (typeof v === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(v)),
    (a) =>
      `SKBLAB_INSTANCE must be 1-63 lower-case letters, digits or '-', starting with a letter or digit (${got(a)})`,
  )
  SKBLAB_INSTANCE?: string;

  @intBetween(0, 65535)
  PORT = '0';

  @check(
    'isHost',
    (v) => typeof v === 'string' && (isIP(v) || HOST.test(v)),
    (a) => `HOST must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0 (${got(a)})`,
  )
  HOST = '127.0.0.1';

  @intBetween(100, 120_000)
  SKBLAB_CONNECT_TIMEOUT_MS = '5000';

  @intBetween(100, 120_000)
  SKBLAB_HEALTH_TIMEOUT_MS = '3000';
}

const KEYS = [
  'KAFKA_BROKERS',
  'REDIS_URL',
  'SKBLAB_LAB_ID',
  'SKBLAB_CLASS',
  'SKBLAB_INSTRUCTOR_TOKEN',
  'SKBLAB_OTLP_ENDPOINT',
  'SKBLAB_INSTANCE',
  'PORT',
  'HOST',
  'SKBLAB_CONNECT_TIMEOUT_MS',
  'SKBLAB_HEALTH_TIMEOUT_MS',
] as const satisfies readonly (keyof ServiceEnv)[];

/**
 * Every environment variable loadServiceConfig reads. A deployment sets them all, defaults included (the
 * default HOST, 127.0.0.1, would hide a service in a container): k8s/ is checked against this list.
 */
export const SERVICE_ENV_VARS: readonly string[] = [
  ...KEYS.filter(
    (k) => k !== 'SKBLAB_CLASS' && k !== 'SKBLAB_INSTRUCTOR_TOKEN' && k !== 'SKBLAB_OTLP_ENDPOINT',
  ),
  'SKBLAB_LAYER',
];

/**
 * The variables a service reads only when they are set: SKBLAB_CLASS (a service that serves a class's
 * labs), SKBLAB_INSTRUCTOR_TOKEN, SKBLAB_OTLP_ENDPOINT (a collector for its spans) and Kafka's SASL
 * credentials. Unset means a broker
 * without SASL, which is what k8s/'s Kafka is today, so they are not in SERVICE_ENV_VARS (k8s/ would have to
 * set them, and a service given credentials for a broker that has no SASL cannot connect). When they are
 * set, they are checked like the others.
 */
export const SERVICE_OPTIONAL_ENV_VARS: readonly string[] = [
  ...KAFKA_SASL_ENV_VARS,
  'SKBLAB_CLASS',
  'SKBLAB_INSTRUCTOR_TOKEN',
  'SKBLAB_OTLP_ENDPOINT',
];

/** Reads and validates the configuration of `layer`'s service; throws ServiceConfigError listing every problem. */
export function loadServiceConfig(layer: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const problems: string[] = [];
  if (!isLayerName(layer)) {
    throw new ServiceConfigError(layer, [
      `unknown layer ${JSON.stringify(layer)}: one of ${LAYERS.join(', ')}`,
    ]);
  }
  const declared = env.SKBLAB_LAYER;
  if (declared !== undefined && declared !== '' && declared !== layer) {
    problems.push(
      `SKBLAB_LAYER=${declared} but this is the ${layer} service (apps/${layer}): unset SKBLAB_LAYER or start apps/${declared}`,
    );
  }
  const raw = new ServiceEnv();
  for (const key of KEYS) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  // Required ones are validated even when missing (undefined): the validators then say "not set".
  for (const e of validateSync(raw, { skipUndefinedProperties: false })) {
    problems.push(...Object.values(e.constraints ?? {}));
  }
  // The CLI reads the same three variables: one rule for both (kafka-sasl.ts).
  const sasl = kafkaSaslFromEnv(env);
  problems.push(...sasl.problems);
  if (problems.length) throw new ServiceConfigError(layer, problems);

  const labId = raw.SKBLAB_LAB_ID;
  const instance = raw.SKBLAB_INSTANCE ?? layer;
  return {
    layer,
    instance,
    labId,
    ...(raw.SKBLAB_CLASS ? { classId: raw.SKBLAB_CLASS } : {}),
    ...(raw.SKBLAB_INSTRUCTOR_TOKEN ? { instructorToken: raw.SKBLAB_INSTRUCTOR_TOKEN } : {}),
    kafkaBrokers: raw.KAFKA_BROKERS!.split(',').map((b) => b.trim()),
    ...(sasl.sasl ? { kafkaSasl: sasl.sasl } : {}),
    redisUrl: raw.REDIS_URL!,
    ...(raw.SKBLAB_OTLP_ENDPOINT ? { otlpEndpoint: raw.SKBLAB_OTLP_ENDPOINT } : {}),
    port: Number(raw.PORT),
    host: raw.HOST,
    connectTimeoutMs: Number(raw.SKBLAB_CONNECT_TIMEOUT_MS),
    healthTimeoutMs: Number(raw.SKBLAB_HEALTH_TIMEOUT_MS),
    kafkaClientId: `skblab-${labId}-${instance}`,
    kafkaGroupId: `${labId}.${layer}`,
    redisKeyPrefix: `skblab:${labId}:`,
  };
}

/** What a service's DistributedNode takes from the configuration. */
export function nodeOptions(config: ServiceConfig, log: (line: string) => void) {
  return {
    labId: config.labId,
    service: config.layer,
    instance: config.instance,
    kafkaBrokers: config.kafkaBrokers,
    kafkaSasl: config.kafkaSasl,
    redisUrl: config.redisUrl,
    otlpEndpoint: config.otlpEndpoint,
    log,
  };
}
