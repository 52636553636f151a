// The page's entry: the network's boot and nothing else of the app. index.html preloads the app shell and the p2p
// chunk (vite.config.ts), so both are already downloading and compiling; this module decides the order they run in:
// the configuration is fetched at once, the shell is mounted as soon as it is here, and the p2p chunk runs right
// after the shell's first paint (network-boot.ts).
import { bootNetwork } from './ui/shell/network-boot';

bootNetwork(import('./ui/shell/mount'));
