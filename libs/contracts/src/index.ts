export * from './task-types';
export * from './topics';
export * from './headers';
export * from './fire-envelope';
export * from './fire-codec';
export * from './worker-events';
export * from './http-target';
export * from './signature';
