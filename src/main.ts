// The page's entry: the network's boot and nothing else of the app. index.html preloads the app shell and names the p2p
// chunk's files (vite.config.ts), which the boot asks for at once; this module decides the order they run in:
// the configuration is fetched at once, the shell is mounted as soon as it is here, and the p2p chunk runs right
// after the shell's first paint (network-boot.ts).
import { bootNetwork } from './ui/shell/network-boot';
import { showShellFailure } from './ui/shell/shell-failed';

const shell = import('./ui/shell/mount');
// The boot orders the network after the shell whatever became of it; a shell that failed must still say so.
shell.catch(showShellFailure);
bootNetwork(shell);
