// skblab socket: the socket layer's service of skblab's distributed mode: health, metrics, state. Its hops
// (tcp_v4_rcv, udp_rcv, icmp_rcv) run where the user's processes run, in the shell, so it has no handlers.
import { bootstrap } from '@skblab/service';

void bootstrap('socket');
