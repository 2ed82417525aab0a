// skblab control: the control service: drives a lab of layer services (for now the service shell: health, metrics, state).
import { bootstrap } from '@skblab/service';

void bootstrap('control');
