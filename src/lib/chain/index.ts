// Chain side of twingrain (browser and Node): contract ABIs, the sharing actions (one per file: commit, register,
// authorize, instantiate, enrol, revoke, transfer), licences and their receipts, the recorded instantiation, record
// addresses, tree mirrors from events, and sentences for reverts. Node-only pieces are imported by path:
// ./compile.node.ts, ./deploy.node.ts, ./testing/anvil.node.ts.
export * from './abi.generated';
export * from './errors';
export * from './record';
export * from './revert';
export * from './send';
export * from './trees';
export * from './commit';
export * from './register';
export * from './authorize';
export * from './instantiate';
export * from './instantiation';
export * from './enrol';
export * from './licence';
export * from './revoke';
export * from './transfer';
export * from './receipt';
export * from './list-custodians';
export * from './custody';
export * from './tree-snapshot';
export * from './log-ranges';
