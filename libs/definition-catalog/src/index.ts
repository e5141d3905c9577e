export * from './definition-catalog';
export * from './golden-cases';
