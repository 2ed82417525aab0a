/** Shared by the service suites: the real brokers from test/infra, and a layer app booted in-process. */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  configureLayerApp,
  LayerModule,
  SERVICE_CONFIG,
  type LayerModuleOptions,
  type LayerName,
  type ServiceConfig,
} from '@skblab/service';

export function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set: run this suite through jest's e2e project (test/infra globalSetup)`);
  return v;
}

/** The environment a service gets in these tests: the real brokers, the run's lab id, short timeouts. */
export function serviceEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: need('KAFKA_BROKERS'),
    REDIS_URL: need('REDIS_URL'),
    SKBLAB_LAB_ID: need('SKBLAB_TEST_LAB_ID'),
    SKBLAB_CONNECT_TIMEOUT_MS: '2000',
    SKBLAB_HEALTH_TIMEOUT_MS: '2000',
    ...overrides,
  };
}

/** LayerModule in a testing module, configured as bootstrap configures it (no Kafka transport, no listen). */
export async function layerApp(
  layer: LayerName,
  options: Omit<LayerModuleOptions, 'layer'> = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [LayerModule.forRoot({ layer, env: serviceEnv(), ...options })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  configureLayerApp(app, app.get<ServiceConfig>(SERVICE_CONFIG));
  await app.init();
  return app;
}

export async function eventually<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
