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
import { createHash, timingSafeEqual } from 'node:crypto';
import { LAB_ID_MAX, LAB_ID_RULE, isLabId } from '@skblab/contracts';
import {
  DistributedNode,
  KEYS,
  addClassLab,
  classLabs,
  dropLab,
  keyPrefix,
  removeClassLab,
} from '@skblab/distributed';
import { KAFKA, REDIS, SERVICE_CONFIG, nodeOptions, type ServiceConfig } from '@skblab/service';
import { newLab } from './new-lab';

export class NewLabDto {
  @ApiProperty({ description: LAB_ID_RULE, example: 'alice' })
  @IsString()
  @Matches(new RegExp(`^[a-z0-9][a-z0-9-]{0,${LAB_ID_MAX - 1}}$`), { message: `id must be ${LAB_ID_RULE}` })
  id!: string;
}

/** The instructor's bearer token, compared in constant time (as digests: not even its length shows). */
@Injectable()
export class InstructorGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.config.classId) throw new NotFoundException('this control service serves one lab, not a class');
    const want = this.config.instructorToken;
    if (!want) throw new ForbiddenException('this class has no instructor token (SKBLAB_INSTRUCTOR_TOKEN)');
    const header = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers.authorization;
    // The scheme's name is case-insensitive (RFC 7235).
    const got = /^bearer +(\S+)$/i.exec(header ?? '')?.[1] ?? '';
    const digest = (t: string) => createHash('sha256').update(t).digest();
    if (!timingSafeEqual(digest(got), digest(want)))
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

  /**
   * Make a lab of this class. Its id is claimed first (`skblab:<lab>:class`, set only if absent): a lab
   * that exists already (of this class, of another, or a lab of its own) is not this class's to make.
   */
  async create(id: string): Promise<{ id: string; topology: unknown }> {
    const classId = this.classId;
    const claim = `${keyPrefix(id)}class`;
    const owner = await this.redis.get(claim);
    if (owner === classId) throw new ConflictException(`lab ${id} is in class ${classId} already`);
    if (owner !== null || (await this.redis.exists(`${keyPrefix(id)}${KEYS.topology}`)))
      throw new ConflictException(`lab ${id} exists already, outside class ${classId}`);
    if ((await this.redis.set(claim, classId, 'NX')) !== 'OK')
      throw new ConflictException(`lab ${id} is being made already`);
    const node = new DistributedNode({ ...nodeOptions({ ...this.config, labId: id }, () => undefined) });
    try {
      const topology = await newLab(node);
      await addClassLab(this.redis, classId, id);
      return { id, topology };
    } catch (e) {
      await this.redis.del(claim);
      throw e;
    } finally {
      await node.stop();
    }
  }

  /**
   * Take a lab out of the class, wait (10 s at most) until the class's services have stopped serving it
   * (their `ready` entries go: only a student's shell may be left), then delete its keys and topics.
   */
  async remove(id: string): Promise<{ id: string; keys: number; topics: number }> {
    if (!isLabId(id))
      throw new NotFoundException(`no lab ${String(id).slice(0, 80)} in class ${this.classId}`);
    if ((await this.redis.get(`${keyPrefix(id)}class`)) !== this.classId)
      throw new NotFoundException(`no lab ${id} in class ${this.classId}`);
    if (!(await removeClassLab(this.redis, this.classId, id)))
      throw new NotFoundException(`no lab ${id} in class ${this.classId}`);
    const ready = `${keyPrefix(id)}${KEYS.ready}`;
    for (const until = Date.now() + 10_000; Date.now() < until; ) {
      const left = (await this.redis.hkeys(ready)).filter((i) => i !== 'socket');
      if (!left.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
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
