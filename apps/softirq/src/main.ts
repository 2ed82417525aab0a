// skblab softirq: the softirq layer's service of skblab's distributed mode: its hops (softirq.hops.ts), health, metrics, state.
import { bootstrap } from '@skblab/service';
import { SoftirqModule } from './softirq.module';

void bootstrap('softirq', { imports: [SoftirqModule] });
