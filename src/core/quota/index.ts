export * from './admission.js';
export * from './limitrange.js';
export * from './usage.js';
