/**
 * The ip layer's kernel functions, the IPv4 output path and forwarding (net/ipv4/ip_output.c, ip_forward.c):
 * each a handler of the hop that carries an skb into it. The HopServer refuses to start unless these are
 * exactly the layer's hops (contracts' HOP_LAYER).
 */
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Verdict } from '@skblab/kernel';
import { LayerHops, type HopMessage } from '@skblab/service';

@Controller()
export class IpHops extends LayerHops {
  @EventPattern('ip_send_skb')
  ip_send_skb(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_local_out')
  ip_local_out(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_output')
  ip_output(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_finish_output')
  ip_finish_output(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_fragment')
  ip_fragment(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_finish_output2')
  ip_finish_output2(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_forward')
  ip_forward(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }

  @EventPattern('ip_error')
  ip_error(@Payload() m: HopMessage): Verdict {
    return this.receive(m);
  }
}
