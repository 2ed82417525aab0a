/**
 * A request body nested deeper than any of the service's bodies can be is a 400 before anything walks it
 * recursively (class-transformer and class-validator do, and a 4 kB body nested 2,000 deep overflows the
 * stack there). The walk here keeps its own stack.
 */
import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/** Deeper than this is refused (StateQueryDto is 1 deep). */
export const MAX_BODY_DEPTH = 32;

/** Whether `v` has arrays or objects nested more than `max` deep. */
export function nestedDeeperThan(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, depth] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (depth + 1 > max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, depth + 1]);
  }
  return false;
}

@Injectable()
export class BodyDepthPipe implements PipeTransform {
  constructor(private readonly max = MAX_BODY_DEPTH) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && nestedDeeperThan(value, this.max))
      throw new BadRequestException(`the request body is nested deeper than ${this.max} levels`);
    return value;
  }
}
