export * from './log-context';
export * from './safe-error';
export * from './structured-logger';
export * from './metrics';
export * from './metrics-access';
export * from './metrics-server';
export * from './observability.module';
