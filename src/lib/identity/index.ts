export * from './errors';
export * from './field';
export * from './poseidon';
export * from './identity';
export * from './vault';
export * from './backup';
export * from './keyring';
