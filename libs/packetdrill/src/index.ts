export * from './script';
export * from './run';
export * from './python';
