import { Module } from '@nestjs/common';
import { RxHops } from './rx.hops';

/** The rx service's own part: its hops. */
@Module({ controllers: [RxHops] })
export class RxModule {}
