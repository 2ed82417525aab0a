/**
 * The nic layer's kernel functions, the NIC drivers (drivers/net/veth.c, tun.c, intel/igb) and the wire's
 * DMA into a receive ring: each a handler of the hop that carries an skb into it. The HopServer refuses to
 * start unless these are exactly the layer's hops (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class NicHops extends LayerHops {
  @EventPattern('veth_xmit')
  veth_xmit(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('tun_net_xmit')
  tun_net_xmit(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('igb_xmit_frame')
  igb_xmit_frame(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('hw_rx_dma')
  hw_rx_dma(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
