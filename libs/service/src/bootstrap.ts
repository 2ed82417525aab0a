/**
 * bootstrap('ip'): the whole main of a distributed-mode service. It makes a failed write to stdout or stderr
 * harmless (a service outlives whoever read its output), validates the environment, creates the Nest app
 * (LayerModule), applies the global ValidationPipe, serves OpenAPI at /docs (JSON at /docs-json), connects
 * Nest's Kafka transport only when asked (kafkaTransport: a hybrid app, HTTP + consumer group
 * `<lab>.<layer>-server`; the layers' hops run on their own kafkajs consumers, so by default no group joins
 * that nothing consumes for), enables the shutdown hooks (SIGTERM/SIGINT close Kafka and Redis), listens on
 * HOST:PORT and prints one line:
 *
 *   skblab ip listening on http://127.0.0.1:PORT
 *
 * If anything fails it prints `skblab ip: cannot start: <why>` and exits 1 (or throws, with exitOnError false).
 */
import 'reflect-metadata';
import { ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type KafkaOptions } from '@nestjs/microservices';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Partitioners } from 'kafkajs';
import type { AddressInfo } from 'node:net';
import { BodyDepthPipe } from './body-depth';
import { loadServiceConfig, type ServiceConfig } from './config';
import { LayerModule, type LayerModuleOptions } from './layer.module';
import type { LayerName } from './layers';
import { StateController, StateQueryDto } from './state';
import { tolerateBrokenOutput } from '@skblab/distributed';
import { errMsg } from './util';
import { SERVICE_VERSION } from './version';

export interface BootstrapOptions extends Omit<LayerModuleOptions, 'layer' | 'config'> {
  /**
   * Connect Nest's Kafka transport, for @EventPattern handlers (default false: no layer has any; their hops
   * run on DistributedNode's own consumers, and an idle server group only adds a group to sweep and
   * coordinator errors to the log).
   */
  kafkaTransport?: boolean;
  /** On failure print one line and exit 1 (default true); false: close what started and throw. */
  exitOnError?: boolean;
  /** Nest's log levels (default error and warn, so that the "listening" line is the only one). */
  logLevels?: LogLevel[];
  /** Where the "listening" line goes (default stdout). */
  announce?: (line: string) => void;
}

/** The Kafka server options of a layer's hybrid app. */
export function kafkaTransportOptions(config: ServiceConfig): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      client: {
        clientId: config.kafkaClientId,
        brokers: config.kafkaBrokers,
        connectionTimeout: config.connectTimeoutMs,
      },
      consumer: { groupId: config.kafkaGroupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false },
      producer: { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false },
    },
  };
}

/**
 * Nest validates a body against the class named in the handler's signature, which it reads from TypeScript's
 * decorator metadata. A build that drops it (plain esbuild, tsx) would silently skip validation: refuse.
 */
export function assertDecoratorMetadata(): void {
  const types = Reflect.getMetadata('design:paramtypes', StateController.prototype, 'query') as unknown[];
  if (!types || types[0] !== StateQueryDto) {
    throw new Error(
      'this build has no TypeScript decorator metadata (emitDecoratorMetadata), which Nest needs to ' +
        'inject and validate: build with `node libs/service/build.js` (or run under ts-jest), not plain esbuild or tsx',
    );
  }
}

/** Global validation, shutdown hooks and OpenAPI: what bootstrap does to the app before it listens. */
export function configureLayerApp(app: INestApplication, config: ServiceConfig): INestApplication {
  assertDecoratorMetadata();
  app.useGlobalPipes(
    new BodyDepthPipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`skblab ${config.layer}`)
      .setDescription(
        `The ${config.layer} service of skblab's distributed mode (lab ${config.labId}): health, metrics and state.`,
      )
      .setVersion(SERVICE_VERSION)
      .build(),
  );
  SwaggerModule.setup('docs', app, doc);
  return app;
}

export async function bootstrap(layer: LayerName, options: BootstrapOptions = {}): Promise<INestApplication> {
  let app: INestApplication | undefined;
  tolerateBrokenOutput();
  try {
    const config = loadServiceConfig(layer, options.env ?? process.env);
    app = await NestFactory.create(LayerModule.forRoot({ ...options, layer, config }), {
      logger: options.logLevels ?? ['error', 'warn'],
      abortOnError: false,
    });
    configureLayerApp(app, config);
    if (options.kafkaTransport === true) {
      app.connectMicroservice(kafkaTransportOptions(config), { inheritAppConfig: true });
      await app.startAllMicroservices();
    }
    await app.listen(config.port, config.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    (options.announce ?? ((l) => process.stdout.write(`${l}\n`)))(
      `skblab ${layer} listening on http://${host}:${port}`,
    );
    return app;
  } catch (e) {
    await app?.close().catch(() => undefined);
    if (options.exitOnError === false) throw e;
    process.stderr.write(`skblab ${layer}: cannot start: ${errMsg(e)}\n`);
    process.exit(1);
  }
}
