/**
 * The neigh layer's kernel functions, the neighbour subsystem and ARP (net/core/neighbour.c,
 * net/ipv4/arp.c): each a handler of the hop that carries an skb into it. The HopServer refuses to start
 * unless these are exactly the layer's hops (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class NeighHops extends LayerHops {
  @EventPattern('neigh_output')
  neigh_output(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('neigh_resolve_output_queued')
  neigh_resolve_output_queued(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('arp_xmit')
  arp_xmit(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('arp_rcv')
  arp_rcv(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
