/**
 * The loopback layer's kernel functions, the loopback driver (drivers/net/loopback.c): each a handler of the
 * hop that carries an skb into it. The HopServer refuses to start unless these are exactly the layer's hops
 * (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class LoopbackHops extends LayerHops {
  @EventPattern('loopback_xmit')
  loopback_xmit(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
