// The benchmark harness (issue 5): what every scenario in bench/*.bench.ts shares.
export * from './common.js';
export * from './fixtures.js';
export * from './load.js';
export * from './proc.js';
export * from './results.js';
export * from './server.js';
export * from './steps.js';
