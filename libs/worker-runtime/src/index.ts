export * from './worker.module';
export * from './case-events.processor';
export * from './timers.processor';
export * from './notifications.processor';
export * from './digest-scheduler';
