// First: starts the network while the rest of the shell loads (boot.ts).
import './ui/shell/boot';
import { mount } from 'svelte';
import App from './ui/shell/App.svelte';
import './ui/shell/global.css';

// The shell's modules are evaluated (User Timing: where a visit's time to the relay goes, docs/bench/p2p.md).
performance.mark('twingrain:shell-evaluated');
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
