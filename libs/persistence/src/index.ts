export * from './entities';
export * from './orm-config';
export * from './migrate-database';
