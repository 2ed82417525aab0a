/**
 * The dev layer's kernel functions, the device subsystem and its qdiscs (net/core/dev.c,
 * net/sched/sch_generic.c); the last three are a NIC driver's answers to the qdisc's call into it
 * (contracts' DRIVER_ANSWERS): each a handler of the hop that carries an skb into it. The HopServer refuses
 * to start unless these are exactly the layer's hops (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class DevHops extends LayerHops {
  @EventPattern('__dev_queue_xmit')
  __dev_queue_xmit(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('dev_hard_start_xmit')
  dev_hard_start_xmit(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('dev_requeue_skb')
  dev_requeue_skb(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('__netif_schedule')
  __netif_schedule(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('netif_tx_stop_queue')
  netif_tx_stop_queue(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
