/**
 * GET /metrics: Prometheus text from a prom-client Registry of this app's own (never the global one), with
 * the default process metrics and the counters every layer feeds:
 *
 *   skblab_messages_total{layer,topic,result}   messages a layer handled, by topic and outcome
 *   skblab_step_latency_seconds{layer,step}     how long the kernel's work on one skb took in this service,
 *                                               by the hop (kernel function) it entered: ip_rcv, ...
 *   skblab_service_info{layer,lab,version}      always 1
 *
 * A layer adds its own metrics to `registry` (pass `registers: [metrics.registry]`).
 */
import { Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServiceConfig } from './config';
import { SERVICE_CONFIG } from './tokens';
import { SERVICE_VERSION } from './version';

export type MessageResult = 'ok' | 'drop' | 'error';

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly messages: Counter<'layer' | 'topic' | 'result'>;
  readonly stepLatency: Histogram<'layer' | 'step'>;
  private readonly layer: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.layer = config.layer;
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    new Gauge({
      name: 'skblab_service_info',
      help: 'The skblab service in this process: its layer, lab and version (always 1).',
      labelNames: ['layer', 'lab', 'version'],
      registers,
    }).set({ layer: config.layer, lab: config.labId, version: SERVICE_VERSION }, 1);
    this.messages = new Counter({
      name: 'skblab_messages_total',
      help: 'Messages (skbs and events) handled by this layer, by topic and result (ok, drop, error).',
      labelNames: ['layer', 'topic', 'result'],
      registers,
    });
    this.stepLatency = new Histogram({
      name: 'skblab_step_latency_seconds',
      help:
        'Wall-clock time the kernel took on one skb in this service, from the hop (kernel function, the ' +
        'step label) it entered to the end of what that hop ran here.',
      labelNames: ['layer', 'step'],
      buckets: [1e-6, 5e-6, 25e-6, 1e-4, 5e-4, 1e-3, 5e-3, 0.025, 0.1, 0.5, 2.5],
      registers,
    });
  }

  countMessage(topic: string, result: MessageResult | string, n = 1): void {
    this.messages.inc({ layer: this.layer, topic, result }, n);
  }

  observeStep(step: string, seconds: number): void {
    this.stepLatency.observe({ layer: this.layer, step }, seconds);
  }

  /** Starts timing `step`; call the returned function when it is done. */
  timeStep(step: string): () => number {
    return this.stepLatency.startTimer({ layer: this.layer, step });
  }
}

@ApiTags('service')
@Controller()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics: process defaults and the skblab_* counters of this layer' })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
