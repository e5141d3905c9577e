export * from './http-api.module';
export * from './create-http-app';
export * from './auth.guard';
