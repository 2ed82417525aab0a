/**
 * The credentials a process logs in to Kafka with, from its environment: the layer services
 * (libs/service's config) and the CLI (a student's shell) read the same three variables, by one rule.
 *
 *   KAFKA_SASL_MECHANISM  scram-sha-512 (the default once a user is set) or scram-sha-256
 *   KAFKA_SASL_USERNAME   the SCRAM user
 *   KAFKA_SASL_PASSWORD   its password: never shown, in an error message or a log
 *
 * None set: no SASL (a PLAINTEXT broker, as compose's and the tests' shared one). A user without a password
 * or the reverse, or a mechanism without a user, is an error rather than a silent fall-back to no SASL.
 */
import { inspect } from 'node:util';

export const KAFKA_SASL_ENV_VARS = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
] as const;

export type KafkaSaslMechanism = 'scram-sha-512' | 'scram-sha-256';

/** kafkajs's `sasl` option (SCRAM), one type per mechanism as kafkajs has it. Printed or serialized, it shows the password as ***. */
export type KafkaSasl = {
  [M in KafkaSaslMechanism]: { mechanism: M; username: string; password: string };
}[KafkaSaslMechanism];

const MECHANISMS: readonly KafkaSaslMechanism[] = ['scram-sha-512', 'scram-sha-256'];
/** A SCRAM user name as Kafka's principal `User:<name>` (lab-acls.ts takes the same). */
export const KAFKA_USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/;

/** The credentials as kafkajs takes them, with the password kept out of logs and JSON. */
export function kafkaSasl(mechanism: KafkaSaslMechanism, username: string, password: string): KafkaSasl {
  const shown = () => ({ mechanism, username, password: '***' });
  const sasl = { mechanism, username, password } as KafkaSasl;
  // Not enumerable: kafkajs reads the three fields, a spread or toEqual sees only them.
  Object.defineProperty(sasl, 'toJSON', { value: shown });
  Object.defineProperty(sasl, inspect.custom, { value: () => shown() });
  return sasl;
}

/** Reads the three variables; `problems` says what is wrong with them (never quoting the password). */
export function kafkaSaslFromEnv(env: NodeJS.ProcessEnv = process.env): {
  sasl?: KafkaSasl;
  problems: string[];
} {
  const get = (k: string) => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const mechanism = get('KAFKA_SASL_MECHANISM');
  const username = get('KAFKA_SASL_USERNAME');
  const password = get('KAFKA_SASL_PASSWORD');
  const problems: string[] = [];
  const m = (mechanism ?? 'scram-sha-512').toLowerCase() as KafkaSaslMechanism;
  if (!MECHANISMS.includes(m))
    problems.push(
      `KAFKA_SASL_MECHANISM must be ${MECHANISMS.join(' or ')} (got ${JSON.stringify(mechanism)})`,
    );
  if (username !== undefined && !KAFKA_USERNAME.test(username))
    problems.push(
      `KAFKA_SASL_USERNAME must be 1-255 letters, digits, '.', '_', '@' or '-', starting with a letter or digit (got ${JSON.stringify(username)})`,
    );
  if (username !== undefined && password === undefined)
    problems.push('KAFKA_SASL_PASSWORD must be set when KAFKA_SASL_USERNAME is (not set)');
  if (username === undefined && password !== undefined)
    problems.push('KAFKA_SASL_USERNAME must be set when KAFKA_SASL_PASSWORD is (not set)');
  if (username === undefined && mechanism !== undefined && password === undefined)
    problems.push('KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are not');
  if (problems.length || username === undefined) return { problems };
  return { sasl: kafkaSasl(m, username, password!), problems };
}

/** How a process logs in, for a message: `SASL scram-sha-512 as alice`, or `no SASL`. */
export function describeKafkaSasl(sasl?: KafkaSasl): string {
  return sasl ? `SASL ${sasl.mechanism} as ${sasl.username}` : 'no SASL';
}
