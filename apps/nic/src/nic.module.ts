import { Module } from '@nestjs/common';
import { NicHops } from './nic.hops';

/** The nic service's own part: its hops. */
@Module({ controllers: [NicHops] })
export class NicModule {}
