export * from './shell';
export * from './tokenize';
export * from './session';
export * from './boot';
