export * from './errors';
export * from './eip6963';
export * from './chain';
export * from './connect';
