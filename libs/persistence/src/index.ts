export * from './entities';
export * from './orm-config';
export * from './migrate-database';
export * from './advisory-lock';
