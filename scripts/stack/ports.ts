// Moved to src/lib/node/ports.ts (src/lib may not import scripts/); kept so that existing imports keep working.
export * from '../../src/lib/node/ports';
