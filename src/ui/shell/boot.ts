// The page's first module (main.ts): starts the network before the app shell is even downloaded. Keep this module's
// imports tiny: everything it imports statically is in the entry chunk, ahead of the network.
import { bootNetwork } from './network-boot';

bootNetwork();
