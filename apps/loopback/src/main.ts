// skblab loopback: the loopback layer's service of skblab's distributed mode: its hops (loopback.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { LoopbackModule } from './loopback.module';

void bootstrap('loopback', { imports: [LoopbackModule] });
