import { brokersFromEnv, checkLabId } from './distributed';

describe('lab ids', () => {
  it('takes lab ids that Kafka topics and Redis keys can carry', () => {
    expect(checkLabId('ci-1')).toBeNull();
    expect(checkLabId('Lab_1')).toMatch(/invalid lab id/);
    expect(checkLabId('-x')).toMatch(/invalid lab id/);
  });
});

describe('brokersFromEnv', () => {
  it('logs in to Kafka as KAFKA_SASL_USERNAME when it is set, and without SASL when not', () => {
    const env = { KAFKA_BROKERS: 'k:9092', REDIS_URL: 'redis://r:6379' };
    expect(brokersFromEnv(env)).toEqual({ kafka: ['k:9092'], redisUrl: 'redis://r:6379' });
    const b = brokersFromEnv({ ...env, KAFKA_SASL_USERNAME: 'lab-la', KAFKA_SASL_PASSWORD: 'pw-0123456789' });
    expect(b.kafkaSasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'lab-la',
      password: 'pw-0123456789',
    });
  });

  it('says what is wrong with the credentials, without the password', () => {
    expect(() => brokersFromEnv({ KAFKA_SASL_PASSWORD: 'pw-0123456789' })).toThrow(
      /^KAFKA_SASL_USERNAME must be set when KAFKA_SASL_PASSWORD is \(not set\)$/,
    );
  });
});
