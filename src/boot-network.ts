// The first script the page runs (index.html lists it before the app): it starts fetching the p2p chunk and the
// runtime config while the app's own bundle is still loading, instead of after the first render, so the peer reaches
// its relay sooner. The chunk compiles off the main thread, so the shell still paints first.
import { bootNetwork } from './ui/shell/network-boot';

bootNetwork();
