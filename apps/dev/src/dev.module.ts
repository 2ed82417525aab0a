import { Module } from '@nestjs/common';
import { DevHops } from './dev.hops';

/** The dev service's own part: its hops. */
@Module({ controllers: [DevHops] })
export class DevModule {}
