/**
 * bootstrap('ip'): the whole main of a distributed-mode service. It makes a failed write to stdout or stderr
 * harmless (a service outlives whoever read its output), validates the environment, creates the Nest app
 * (LayerModule and the app's own module, whose handlers are the layer's hops), applies the global
 * ValidationPipe, serves OpenAPI at /docs (JSON at /docs-json), connects the hop transport when the layer
 * runs hops (a hybrid app: HTTP + HopServer, consumer group `<lab>.<layer>`), enables the shutdown hooks
 * (SIGTERM/SIGINT close Kafka and Redis), listens on HOST:PORT and prints one line:
 *
 *   skblab ip listening on http://127.0.0.1:PORT
 *
 * If anything fails it prints `skblab ip: cannot start: <why>` and exits 1 (or throws, with exitOnError false).
 */
import 'reflect-metadata';
import { ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AddressInfo } from 'node:net';
import { BodyDepthPipe } from './body-depth';
import { loadServiceConfig, type ServiceConfig } from './config';
import { HopServer } from './hop-server';
import { HopWorker } from './hop-worker';
import { LayerModule, runsHops, type LayerModuleOptions } from './layer.module';
import type { LayerName } from './layers';
import { StateController, StateQueryDto } from './state';
import { tolerateBrokenOutput } from '@skblab/distributed';
import { errMsg } from './util';
import { SERVICE_VERSION } from './version';

export interface BootstrapOptions extends Omit<LayerModuleOptions, 'layer' | 'config'> {
  /** On failure print one line and exit 1 (default true); false: close what started and throw. */
  exitOnError?: boolean;
  /** Nest's log levels (default error and warn, so that the "listening" line is the only one). */
  logLevels?: LogLevel[];
  /** Where the "listening" line goes (default stdout). */
  announce?: (line: string) => void;
}

/**
 * A layer that runs hops gets its hop transport: a HopServer over the app's HopWorker, fed to the hop
 * handlers the app's module declares. Global pipes are not inherited: an skb is not a request body.
 * Rejects when the handlers are not exactly the layer's hops.
 */
export async function startHops(app: INestApplication, layer: LayerName): Promise<void> {
  if (!runsHops(layer)) return;
  app.connectMicroservice({ strategy: new HopServer(app.get(HopWorker), `skblab ${layer}`) });
  await app.startAllMicroservices();
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
    await startHops(app, layer);
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
