/**
 * LayerModule.forRoot({ layer }) is the shell every distributed-mode service runs in: validated config, the
 * Kafka and Redis clients, /healthz, /metrics, /state and /state/query. A layer passes its state provider
 * and its own module (the app's hop handlers). Global, so the layer's modules
 * can inject SERVICE_CONFIG, KAFKA, REDIS, MetricsService, LAYER_STATE_PROVIDER and (a layer that runs hops)
 * the HopWorker.
 */
import { Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { hopsOf } from '@skblab/contracts';
import { KafkaClient, RedisClient } from './clients';
import { HopWorker } from './hop-worker';
import { loadServiceConfig, type ServiceConfig } from './config';
import { HealthController, KafkaHealthIndicator, RedisHealthIndicator } from './health';
import type { LayerName } from './layers';
import { MetricsController, MetricsService } from './metrics';
import { DefaultLayerStateProvider, StateController, type LayerStateProvider } from './state';
import { KAFKA, LAYER_STATE_PROVIDER, REDIS, SERVICE_CONFIG } from './tokens';

export interface LayerModuleOptions {
  layer: LayerName;
  /** What GET /state shows: an injectable class or an instance. Default: {layer, labId, startedAt}. */
  stateProvider?: Type<LayerStateProvider> | LayerStateProvider;
  /** The environment to read the configuration from (default process.env); ignored if `config` is given. */
  env?: NodeJS.ProcessEnv;
  /** An already validated configuration (from loadServiceConfig). */
  config?: ServiceConfig;
  /** The layer's own parts. */
  imports?: ModuleMetadata['imports'];
  providers?: Provider[];
  controllers?: Type<unknown>[];
}

/**
 * Whether a layer's service runs kernel hops (and so has a HopWorker and a HopServer). The socket layer's
 * hops run where the user's processes run (the shell), so its service only has the HTTP face.
 */
export function runsHops(layer: LayerName): boolean {
  return hopsOf(layer).length > 0 && layer !== 'socket';
}

@Module({})
export class LayerModule {
  /** Throws ServiceConfigError (every problem listed) when the environment is not valid. */
  static forRoot(options: LayerModuleOptions): DynamicModule {
    const config = options.config ?? loadServiceConfig(options.layer, options.env ?? process.env);
    if (config.layer !== options.layer) {
      throw new Error(`LayerModule.forRoot: config is for ${config.layer}, not ${options.layer}`);
    }
    const sp = options.stateProvider;
    // A layer that runs kernel hops gets the worker that runs them, which also answers /state; control
    // brings its own provider (LabControl, in apps/control) as its state provider.
    const own = runsHops(options.layer) ? HopWorker : null;
    const stateProvider: Provider =
      sp === undefined
        ? own
          ? { provide: LAYER_STATE_PROVIDER, useExisting: own }
          : { provide: LAYER_STATE_PROVIDER, useClass: DefaultLayerStateProvider }
        : typeof sp === 'function'
          ? { provide: LAYER_STATE_PROVIDER, useClass: sp }
          : { provide: LAYER_STATE_PROVIDER, useValue: sp };
    return {
      module: LayerModule,
      global: true,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ...(options.imports ?? [])],
      controllers: [HealthController, MetricsController, StateController, ...(options.controllers ?? [])],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        KafkaClient,
        RedisClient,
        { provide: KAFKA, useFactory: (c: KafkaClient) => c.kafka, inject: [KafkaClient] },
        { provide: REDIS, useFactory: (c: RedisClient) => c.redis, inject: [RedisClient] },
        MetricsService,
        KafkaHealthIndicator,
        RedisHealthIndicator,
        ...(own ? [own] : []),
        stateProvider,
        ...(options.providers ?? []),
      ],
      exports: [
        SERVICE_CONFIG,
        KAFKA,
        REDIS,
        KafkaClient,
        RedisClient,
        MetricsService,
        LAYER_STATE_PROVIDER,
        // The app's hop handlers hand their messages to it.
        ...(own ? [own] : []),
      ],
    };
  }
}
