// skblab rx: the rx layer's service of skblab's distributed mode: its hops (rx.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { RxModule } from './rx.module';

void bootstrap('rx', { imports: [RxModule] });
