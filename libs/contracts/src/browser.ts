/**
 * The contracts a browser can load: everything but request signing, which needs node:crypto
 * (the dashboard resolves `@task-center/contracts` here).
 */
export * from './task-types';
export * from './topics';
export * from './headers';
export * from './fire-envelope';
export * from './fire-codec';
export * from './worker-events';
export * from './http-target';
export * from './header-lines';
