export * from './test-services';
export * from './test-orm';
export * from './engine-harness';
export * from './fault-harness';
export * from './hostile-uploads';
