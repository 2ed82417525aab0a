// skblab dev: the dev layer's service of skblab's distributed mode: its hops (dev.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { DevModule } from './dev.module';

void bootstrap('dev', { imports: [DevModule] });
