// skblab control: the control service: makes the lab exist (topics, default topology and its boot
// configuration) for layer services and shells that join it, or (SKBLAB_CLASS) makes and deletes a
// class's labs at run time (/labs); health, metrics and GET /state.
import { bootstrap } from '@skblab/service';
import { ClassControl, ClassController, InstructorGuard } from './class-control';
import { LabControl } from './lab-control';

void bootstrap('control', {
  stateProvider: LabControl,
  providers: [ClassControl, InstructorGuard],
  controllers: [ClassController],
});
