import {
  loadServiceConfig,
  nodeOptions,
  SERVICE_ENV_VARS,
  SERVICE_OPTIONAL_ENV_VARS,
  ServiceConfigError,
} from './config';

const good = { KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://redis:6379' };

function problems(layer: string, env: NodeJS.ProcessEnv): string[] {
  try {
    loadServiceConfig(layer, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceConfigError);
    return (e as ServiceConfigError).problems;
  }
  throw new Error('expected a ServiceConfigError');
}

describe('loadServiceConfig', () => {
  it('derives the names from the lab and the layer, with defaults', () => {
    expect(loadServiceConfig('ip', { ...good, SKBLAB_LAB_ID: 'compose' })).toEqual({
      layer: 'ip',
      instance: 'ip',
      labId: 'compose',
      kafkaBrokers: ['kafka:9092'],
      redisUrl: 'redis://redis:6379',
      port: 0,
      host: '127.0.0.1',
      connectTimeoutMs: 5000,
      healthTimeoutMs: 3000,
      kafkaClientId: 'skblab-compose-ip',
      kafkaGroupId: 'compose.ip',
      redisKeyPrefix: 'skblab:compose:',
    });
  });

  it('names a replica by SKBLAB_INSTANCE (its Kafka client too) and refuses a bad name', () => {
    const c = loadServiceConfig('nic', { ...good, SKBLAB_LAB_ID: 'class1', SKBLAB_INSTANCE: 'nic-2' });
    expect(c.instance).toBe('nic-2');
    expect(c.kafkaClientId).toBe('skblab-class1-nic-2');
    // Replicas share the layer's consumer group: that is how they split the partitions.
    expect(c.kafkaGroupId).toBe('class1.nic');
    expect(problems('nic', { ...good, SKBLAB_INSTANCE: 'Nic_2' })).toEqual([
      `SKBLAB_INSTANCE must be 1-63 lower-case letters, digits or '-', starting with a letter or digit (got "Nic_2")`,
    ]);
  });

  it('accepts several brokers, IPv6 brokers, rediss and an explicit layer, port and host', () => {
    const c = loadServiceConfig('control', {
      KAFKA_BROKERS: '10.0.0.1:9092, [::1]:19092,kafka-2.lab:9093',
      REDIS_URL: 'rediss://user:pw@redis:6380/2',
      SKBLAB_LAYER: 'control',
      PORT: '3000',
      HOST: '0.0.0.0',
    });
    expect(c.kafkaBrokers).toEqual(['10.0.0.1:9092', '[::1]:19092', 'kafka-2.lab:9093']);
    expect([c.port, c.host, c.labId]).toEqual([3000, '0.0.0.0', 'local']);
  });

  it('lists every problem at once, naming each variable and what it got', () => {
    const p = problems('ip', { REDIS_URL: 'http://redis:6379', PORT: '70000', SKBLAB_LAB_ID: 'Lab_1' });
    expect(p).toEqual([
      'KAFKA_BROKERS must be a comma-separated list of host:port, e.g. 127.0.0.1:9092 (not set)',
      'REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got "http://redis:6379")',
      `SKBLAB_LAB_ID must be 1-63 lower-case letters, digits or '-', starting with a letter or digit (got "Lab_1")`,
      'PORT must be an integer from 0 to 65535 (got "70000")',
    ]);
  });

  it('does not repeat the password of a bad REDIS_URL', () => {
    expect(problems('ip', { ...good, REDIS_URL: 'http://admin:s3cret@redis:6379' })).toEqual([
      'REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got "http://admin:***@redis:6379")',
    ]);
  });

  it.each([['kafka'], ['kafka:0'], ['kafka:99999'], ['kafka:9092,'], ['kafka:9092;other:9092'], ['a b:1']])(
    'rejects KAFKA_BROKERS=%j',
    (brokers) => {
      expect(problems('ip', { ...good, KAFKA_BROKERS: brokers })).toEqual([
        expect.stringMatching(/^KAFKA_BROKERS must be a comma-separated list of host:port/),
      ]);
    },
  );

  it('rejects timeouts out of range and a bad HOST', () => {
    expect(
      problems('nic', {
        ...good,
        SKBLAB_CONNECT_TIMEOUT_MS: '5',
        SKBLAB_HEALTH_TIMEOUT_MS: 'soon',
        HOST: 'a b',
      }),
    ).toEqual([
      'HOST must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0 (got "a b")',
      'SKBLAB_CONNECT_TIMEOUT_MS must be an integer from 100 to 120000 (got "5")',
      'SKBLAB_HEALTH_TIMEOUT_MS must be an integer from 100 to 120000 (got "soon")',
    ]);
  });

  it('says so when SKBLAB_LAYER names another service', () => {
    expect(problems('ip', { ...good, SKBLAB_LAYER: 'dev' })).toEqual([
      'SKBLAB_LAYER=dev but this is the ip service (apps/ip): unset SKBLAB_LAYER or start apps/dev',
    ]);
  });

  it("logs in to Kafka with KAFKA_SASL_*, and hands the credentials to the service's node", () => {
    const c = loadServiceConfig('ip', {
      ...good,
      KAFKA_SASL_USERNAME: 'skblab-services',
      KAFKA_SASL_PASSWORD: 'the-password-0123',
    });
    expect(c.kafkaSasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'skblab-services',
      password: 'the-password-0123',
    });
    expect(nodeOptions(c, () => undefined).kafkaSasl).toBe(c.kafkaSasl);
    expect(loadServiceConfig('ip', good).kafkaSasl).toBeUndefined();
  });

  it('lists bad KAFKA_SASL_* with the other problems, never repeating the password', () => {
    const p = problems('ip', {
      ...good,
      PORT: 'x',
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_SASL_PASSWORD: 'the-password-0123',
    });
    expect(p).toEqual([
      'PORT must be an integer from 0 to 65535 (got "x")',
      'KAFKA_SASL_MECHANISM must be scram-sha-512 or scram-sha-256 (got "gssapi")',
      'KAFKA_SASL_USERNAME must be set when KAFKA_SASL_PASSWORD is (not set)',
    ]);
    expect(p.join('\n')).not.toContain('the-password-0123');
  });

  it('keeps the optional credentials out of what every deployment must set', () => {
    // k8s/'s Kafka has no SASL yet: a manifest that set them would stop its services from connecting.
    expect(SERVICE_OPTIONAL_ENV_VARS).toEqual([
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
      'SKBLAB_CLASS',
      'SKBLAB_INSTRUCTOR_TOKEN',
      'SKBLAB_OTLP_ENDPOINT',
    ]);
    expect(SERVICE_ENV_VARS.filter((v) => SERVICE_OPTIONAL_ENV_VARS.includes(v))).toEqual([]);
  });

  it('reads SKBLAB_OTLP_ENDPOINT into the node options, and refuses what is not an http(s) URL', () => {
    const c = loadServiceConfig('ip', { ...good, SKBLAB_OTLP_ENDPOINT: 'http://jaeger:4318' });
    expect(c.otlpEndpoint).toBe('http://jaeger:4318');
    expect(nodeOptions(c, () => undefined).otlpEndpoint).toBe('http://jaeger:4318');
    expect(loadServiceConfig('ip', good).otlpEndpoint).toBeUndefined();
    expect(nodeOptions(loadServiceConfig('ip', good), () => undefined).otlpEndpoint).toBeUndefined();
    expect(() => loadServiceConfig('ip', { ...good, SKBLAB_OTLP_ENDPOINT: 'jaeger:4318' })).toThrow(
      'SKBLAB_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://127.0.0.1:4318 (got "jaeger:4318")',
    );
  });

  it('reads SKBLAB_CLASS (a service that serves a class) and refuses an id outside the rule', () => {
    expect(loadServiceConfig('ip', { ...good, SKBLAB_CLASS: 'os-101' }).classId).toBe('os-101');
    expect(loadServiceConfig('ip', good).classId).toBeUndefined();
    expect(() => loadServiceConfig('ip', { ...good, SKBLAB_CLASS: 'a*' })).toThrow(
      `SKBLAB_CLASS must be 1-63 lower-case letters, digits or '-', starting with a letter or digit (got "a*")`,
    );
  });

  it('rejects an unknown layer, and its message reads as one clear error', () => {
    expect(() => loadServiceConfig('tcp', good)).toThrow(
      'invalid environment for skblab tcp:\n  - unknown layer "tcp": one of socket, ip, neigh, dev, loopback, nic, softirq, rx, control',
    );
  });
});
