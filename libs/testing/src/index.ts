export * from './test-services';
export * from './engine-harness';
