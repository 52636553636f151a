// Imported first by main.ts: modules are evaluated in import order, so the network starts loading before the rest of
// the shell (Svelte, the pages' code) is evaluated and mounted. Keep this module's imports tiny.
import { bootNetwork } from './network-boot';

bootNetwork();
