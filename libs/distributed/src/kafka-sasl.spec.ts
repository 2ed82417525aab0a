import { inspect } from 'node:util';
import { describeKafkaSasl, kafkaSaslFromEnv } from './kafka-sasl';

const SECRET = 'pa55-w0rd-never-shown';

describe('kafkaSaslFromEnv', () => {
  it('is no SASL when none of the three is set (or all are empty)', () => {
    expect(kafkaSaslFromEnv({})).toEqual({ problems: [] });
    expect(
      kafkaSaslFromEnv({ KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' }),
    ).toEqual({ problems: [] });
  });

  it('takes a user and password, SCRAM-SHA-512 unless told otherwise', () => {
    const env = { KAFKA_SASL_USERNAME: 'lab-alice', KAFKA_SASL_PASSWORD: SECRET };
    expect(kafkaSaslFromEnv(env)).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'lab-alice', password: SECRET },
      problems: [],
    });
    expect(kafkaSaslFromEnv({ ...env, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' }).sasl?.mechanism).toBe(
      'scram-sha-256',
    );
  });

  it('refuses half a credential, a mechanism kafkajs and the broker do not share, and a bad name', () => {
    expect(kafkaSaslFromEnv({ KAFKA_SASL_USERNAME: 'alice' }).problems).toEqual([
      'KAFKA_SASL_PASSWORD must be set when KAFKA_SASL_USERNAME is (not set)',
    ]);
    expect(kafkaSaslFromEnv({ KAFKA_SASL_PASSWORD: SECRET }).problems).toEqual([
      'KAFKA_SASL_USERNAME must be set when KAFKA_SASL_PASSWORD is (not set)',
    ]);
    expect(kafkaSaslFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512' }).problems).toEqual([
      'KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are not',
    ]);
    const p = kafkaSaslFromEnv({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'User:*',
      KAFKA_SASL_PASSWORD: SECRET,
    }).problems;
    expect(p).toEqual([
      'KAFKA_SASL_MECHANISM must be scram-sha-512 or scram-sha-256 (got "plain")',
      expect.stringMatching(/^KAFKA_SASL_USERNAME must be 1-255 letters.*\(got "User:\*"\)$/),
    ]);
    expect(p.join('\n')).not.toContain(SECRET);
  });

  it('never shows the password: printed, serialized or described', () => {
    const { sasl } = kafkaSaslFromEnv({ KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: SECRET });
    expect(sasl!.password).toBe(SECRET); // what kafkajs reads
    expect(JSON.stringify({ sasl })).toBe(
      '{"sasl":{"mechanism":"scram-sha-512","username":"alice","password":"***"}}',
    );
    expect(inspect({ sasl })).not.toContain(SECRET);
    expect(describeKafkaSasl(sasl)).toBe('SASL scram-sha-512 as alice');
    expect(describeKafkaSasl(undefined)).toBe('no SASL');
  });
});
