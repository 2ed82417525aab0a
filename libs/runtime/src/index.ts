export * from './lab';
export * from './task';
export * from './timers';
export * from './trace-ring';
export * from './hardware';
export * from './stall';
