// The entry is only the network's boot (boot.ts): it runs as soon as this small module arrives and asks for the p2p
// chunk and the configuration at once. The app shell (Svelte, the session, the pages' frame) is its own chunk, asked
// for in the same instant, so it downloads beside the network's chunk instead of ahead of it.
import './ui/shell/boot';

void import('./ui/shell/mount');
