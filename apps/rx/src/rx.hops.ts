/**
 * The rx layer's kernel functions, the receive stack (net/core/dev.c, net/ipv4/ip_input.c): each a handler
 * of the hop that carries an skb into it. The HopServer refuses to start unless these are exactly the
 * layer's hops (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class RxHops extends LayerHops {
  @EventPattern('__netif_receive_skb')
  __netif_receive_skb(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_rcv')
  ip_rcv(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_list_rcv')
  ip_list_rcv(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_list_rcv_finish')
  ip_list_rcv_finish(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_rcv_finish')
  ip_rcv_finish(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_local_deliver')
  ip_local_deliver(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_local_deliver_finish')
  ip_local_deliver_finish(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
