// skblab ip: the ip layer's service of skblab's distributed mode: its hops (ip.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { IpModule } from './ip.module';

void bootstrap('ip', { imports: [IpModule] });
