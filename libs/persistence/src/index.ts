export * from './entities';
export * from './orm-config';
