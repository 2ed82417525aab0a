import { Module } from '@nestjs/common';
import { NeighHops } from './neigh.hops';

/** The neigh service's own part: its hops. */
@Module({ controllers: [NeighHops] })
export class NeighModule {}
