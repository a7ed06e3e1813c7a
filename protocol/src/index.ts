export * from './digits.js';
export * from './errors.js';
export * from './events.js';
export * from './phone.js';
export * from './schemas.js';
