// Mounts the app shell: main.ts imports it as the network boots, index.html preloads it (vite.config.ts).
import { mount } from 'svelte';
import App from './App.svelte';
import './global.css';

// The shell's modules are evaluated (User Timing: where a visit's time to the relay goes, docs/bench/p2p.md).
performance.mark('twingrain:shell-evaluated');
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
