export * from './errors';
export * from './scenario';
export * from './functions';
export * from './qp';
export * from './solve';
export * from './closed-form';
export * from './sweep';
