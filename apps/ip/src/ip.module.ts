import { Module } from '@nestjs/common';
import { IpHops } from './ip.hops';

/** The ip service's own part: its hops. */
@Module({ controllers: [IpHops] })
export class IpModule {}
