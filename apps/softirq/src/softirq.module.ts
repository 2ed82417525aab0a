import { Module } from '@nestjs/common';
import { SoftirqHops } from './softirq.hops';

/** The softirq service's own part: its hops. */
@Module({ controllers: [SoftirqHops] })
export class SoftirqModule {}
