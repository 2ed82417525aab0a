/**
 * The control service of a class (SKBLAB_CLASS): the class's labs, made and deleted at run time.
 *
 *   GET    /labs        the class's lab ids (read-only: open inside the cluster namespace)
 *   POST   /labs        {"id": "alice"}: make the lab (topics, default topology, boot configuration) and
 *                       add it to the class, whose services then serve it        (instructor's token)
 *   DELETE /labs/:id    take it out of the class and delete its keys and topics    (instructor's token)
 *
 * A change needs `Authorization: Bearer <SKBLAB_INSTRUCTOR_TOKEN>`; without a token configured, no change
 * is possible at all.
 */
import {
  Body,
  CanActivate,
  ConflictException,
  Controller,
  Delete,
  ExecutionContext,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  UnauthorizedException,
  UseGuards,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { timingSafeEqual } from 'node:crypto';
import { LAB_ID_MAX, LAB_ID_RULE, isLabId } from '@skblab/contracts';
import { DistributedNode, addClassLab, classLabs, dropLab, removeClassLab } from '@skblab/distributed';
import { KAFKA, REDIS, SERVICE_CONFIG, nodeOptions, type ServiceConfig } from '@skblab/service';
import { newLab } from './new-lab';

export class NewLabDto {
  @ApiProperty({ description: LAB_ID_RULE, example: 'alice' })
  @IsString()
  @Matches(new RegExp(`^[a-z0-9][a-z0-9-]{0,${LAB_ID_MAX - 1}}$`), { message: `id must be ${LAB_ID_RULE}` })
  id!: string;
}

/** The instructor's bearer token, compared in constant time. */
@Injectable()
export class InstructorGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const want = this.config.instructorToken;
    if (!want) throw new ForbiddenException('this class has no instructor token (SKBLAB_INSTRUCTOR_TOKEN)');
    const header = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers.authorization;
    const got = /^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '';
    const a = Buffer.from(got);
    const b = Buffer.from(want);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new UnauthorizedException(
        'a change to the class needs the instructor token (Authorization: Bearer)',
      );
    return true;
  }
}

@Injectable()
export class ClassControl implements OnApplicationShutdown {
  /** The class's set lives outside every lab's prefix. */
  private readonly redis: Redis;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) redis: Redis,
  ) {
    this.redis = redis.duplicate({ keyPrefix: '' });
  }

  private get classId(): string {
    if (!this.config.classId) throw new NotFoundException('this control service serves one lab, not a class');
    return this.config.classId;
  }

  list(): Promise<string[]> {
    return classLabs(this.redis, this.classId);
  }

  async create(id: string): Promise<{ id: string; topology: unknown }> {
    const classId = this.classId;
    if ((await this.list()).includes(id))
      throw new ConflictException(`lab ${id} is in class ${classId} already`);
    const node = new DistributedNode({ ...nodeOptions({ ...this.config, labId: id }, () => undefined) });
    try {
      const topology = await newLab(node);
      await addClassLab(this.redis, classId, id);
      return { id, topology };
    } finally {
      await node.stop();
    }
  }

  async remove(id: string): Promise<{ id: string; keys: number; topics: number }> {
    if (!isLabId(id))
      throw new NotFoundException(`no lab ${String(id).slice(0, 80)} in class ${this.classId}`);
    if (!(await removeClassLab(this.redis, this.classId, id)))
      throw new NotFoundException(`no lab ${id} in class ${this.classId}`);
    return { id, ...(await dropLab(this.redis, this.kafka, id)) };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

@Controller('labs')
export class ClassController {
  constructor(@Inject(ClassControl) private readonly control: ClassControl) {}

  @Get()
  async list(): Promise<{ labs: string[] }> {
    return { labs: await this.control.list() };
  }

  @Post()
  @UseGuards(InstructorGuard)
  create(@Body() body: NewLabDto) {
    return this.control.create(body.id);
  }

  @Delete(':id')
  @HttpCode(200)
  @UseGuards(InstructorGuard)
  remove(@Param('id') id: string) {
    return this.control.remove(id);
  }
}
