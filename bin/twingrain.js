#!/usr/bin/env node
// The `twingrain` light node runs the same TypeScript core as the app, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
