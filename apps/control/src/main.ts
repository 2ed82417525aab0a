// skblab control: the control service: makes the lab exist (topics, default topology and its boot
// configuration) for layer services and shells that join it; health, metrics and GET /state.
import { bootstrap } from '@skblab/service';
import { LabControl } from './lab-control';

void bootstrap('control', { stateProvider: LabControl });
