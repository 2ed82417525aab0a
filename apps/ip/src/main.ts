// skblab ip: the ip layer's service of skblab's distributed mode (for now the service shell: health, metrics, state).
import { bootstrap } from '@skblab/service';

void bootstrap('ip');
