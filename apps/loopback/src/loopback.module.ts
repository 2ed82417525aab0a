import { Module } from '@nestjs/common';
import { LoopbackHops } from './loopback.hops';

/** The loopback service's own part: its hops. */
@Module({ controllers: [LoopbackHops] })
export class LoopbackModule {}
