export * from './http-api.module';
export * from './create-http-app';
export * from './auth.guard';
export * from './queue-dashboard';
export * from './request-context';
export * from './admin-session.controller';
export { ARMED_DEADLINES_SQL } from './metrics.controller';
