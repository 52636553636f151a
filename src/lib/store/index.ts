export * from './schema';
export * from './errors';
export * from './db';
export * from './usage';
