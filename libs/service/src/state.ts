/**
 * GET /state: this layer's own state as JSON, from the LayerStateProvider the layer gives LayerModule (the
 * default says which layer and lab this is and since when). POST /state/query: the same state narrowed to
 * one network namespace, with a body validated by class-validator (a bad one is a 400 naming the field).
 */
import { Body, Controller, Get, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { ServiceConfig } from './config';
import { LAYER_STATE_PROVIDER, SERVICE_CONFIG } from './tokens';

export interface StateQuery {
  /** A network namespace name (`ip netns`); '' is the initial namespace. */
  netns: string;
  /** At most this many entries. */
  limit: number;
}

/** What a layer shows of itself. Give LayerModule.forRoot a class (injectable) or an instance. */
export interface LayerStateProvider {
  /** GET /state */
  getState(): unknown;
  /** POST /state/query; without it the answer is the default provider's (no entries). */
  query?(q: StateQuery): unknown;
}

@Injectable()
export class DefaultLayerStateProvider implements LayerStateProvider {
  private readonly startedAt = new Date().toISOString();

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  getState() {
    return { layer: this.config.layer, labId: this.config.labId, startedAt: this.startedAt };
  }

  query(q: StateQuery) {
    return {
      layer: this.config.layer,
      labId: this.config.labId,
      netns: q.netns,
      limit: q.limit,
      entries: [],
    };
  }
}

export class StateQueryDto implements StateQuery {
  @ApiProperty({
    description: "A network namespace name as `ip netns` knows it; '' for the initial namespace.",
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-]*$',
    example: 'ns1',
  })
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_-]*$/, { message: "netns may contain only letters, digits, '_' and '-'" })
  netns!: string;

  @ApiProperty({
    description: 'At most this many entries.',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    example: 100,
  })
  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;
}

const anyJson = { type: 'object', additionalProperties: true } as const;

@ApiTags('service')
@Controller('state')
export class StateController {
  private readonly fallback: DefaultLayerStateProvider;

  constructor(
    @Inject(LAYER_STATE_PROVIDER) private readonly provider: LayerStateProvider,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.fallback = new DefaultLayerStateProvider(config);
  }

  @Get()
  @ApiOperation({ summary: "This layer's own state (its shape depends on the layer)" })
  @ApiOkResponse({ description: 'the state, as JSON', schema: anyJson })
  async state(): Promise<unknown> {
    return await this.provider.getState();
  }

  @Post('query')
  @HttpCode(200)
  @ApiOperation({ summary: "This layer's state in one network namespace, at most `limit` entries" })
  @ApiOkResponse({ description: 'the matching state, as JSON', schema: anyJson })
  @ApiBadRequestResponse({
    description: 'the body is invalid; `message` lists what is wrong, field by field',
  })
  async query(@Body() q: StateQueryDto): Promise<unknown> {
    return await (this.provider.query ? this.provider.query(q) : this.fallback.query(q));
  }
}
