export * from './queue-contract';
export * from './roles';
export * from './api-contract';
