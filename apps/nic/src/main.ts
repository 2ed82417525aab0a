// skblab nic: the nic layer's service of skblab's distributed mode: its hops (nic.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { NicModule } from './nic.module';

void bootstrap('nic', { imports: [NicModule] });
