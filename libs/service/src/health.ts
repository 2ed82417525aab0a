/**
 * GET /healthz (@nestjs/terminus): 200 when Kafka and Redis both answer, else 503 naming the one that did not.
 * Custom indicators on purpose: terminus's MicroserviceHealthIndicator would connect a Nest Kafka client,
 * which joins a consumer group on every check.
 */
import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { performance } from 'node:perf_hooks';
import { KafkaClient, RedisClient } from './clients';
import type { ServiceConfig } from './config';
import { SERVICE_CONFIG } from './tokens';
import { errMsg, within } from './util';

const ms = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

@Injectable()
export class KafkaHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(KafkaClient) private readonly client: KafkaClient,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Up when the cluster answers a metadata request (kafkajs admin.describeCluster) in time. */
  async check(key = 'kafka'): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const t0 = performance.now();
    try {
      const c = await this.client.describeCluster(this.config.healthTimeoutMs);
      return session.up({ ...c, latencyMs: ms(t0) });
    } catch (e) {
      return session.down({ message: errMsg(e), brokers: this.config.kafkaBrokers.join(',') });
    }
  }
}

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(RedisClient) private readonly client: RedisClient,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Up when the connection is ready and PING answers PONG in time; down at once while (re)connecting. */
  async check(key = 'redis'): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const { redis, lastError } = this.client;
    if (redis.status !== 'ready') {
      const why = lastError ? `: ${lastError.message}` : '';
      return session.down({ message: `not connected (${redis.status})${why}` });
    }
    const t0 = performance.now();
    try {
      const pong = await within(this.config.healthTimeoutMs, 'Redis PING', redis.ping());
      if (pong !== 'PONG') return session.down({ message: `PING answered ${JSON.stringify(pong)}` });
      return session.up({ latencyMs: ms(t0) });
    } catch (e) {
      return session.down({ message: errMsg(e) });
    }
  }
}

@ApiTags('service')
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(KafkaHealthIndicator) private readonly kafka: KafkaHealthIndicator,
    @Inject(RedisHealthIndicator) private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('healthz')
  @HealthCheck()
  @ApiOperation({ summary: 'Kafka and Redis reachability: 200 when both are up, 503 when one is down' })
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.kafka.check('kafka'), () => this.redis.check('redis')]);
  }
}
