// skblab neigh: the neigh layer's service of skblab's distributed mode: its hops (neigh.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { NeighModule } from './neigh.module';

void bootstrap('neigh', { imports: [NeighModule] });
