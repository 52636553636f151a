// The command table of `twingrain`. Each entry is one verb (or verb group) in its own file under this folder;
// a command module exports `run(argv)` and returns the process exit code.
import type { Command } from '../command';

export const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start')).command,
  doctor: async () => (await import('./doctor')).command,
  incentive: async () => (await import('./incentive')).command,
  granule: async () => (await import('./granule')).command,
  twin: async () => (await import('./twin')).command,
  relay: async () => (await import('./relay')).command,
  fetch: async () => (await import('./fetch')).command,
  printer: async () => (await import('./printer')).command,
  identity: async () => (await import('./identity')).command,
  register: async () => (await import('./register')).command,
  authorize: async () => (await import('./authorize')).command,
  instantiate: async () => (await import('./instantiate')).command,
  deploy: async () => (await import('./deploy')).command,
  revoke: async () => (await import('./revoke')).command,
  transfer: async () => (await import('./transfer')).command,
  licence: async () => (await import('./licence')).command,
  'pin-token': async () => (await import('./pin-token')).command,
};
