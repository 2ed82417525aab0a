/**
 * The softirq layer's kernel functions, the per-CPU backlog (net/core/dev.c's __netif_rx,
 * enqueue_to_backlog): each a handler of the hop that carries an skb into it. The HopServer refuses to start
 * unless these are exactly the layer's hops (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class SoftirqHops extends LayerHops {
  @EventPattern('__netif_rx')
  __netif_rx(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
