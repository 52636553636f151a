/// <reference lib="webworker" />
// Groth16 proving off the main thread: this worker loads snarkjs and the proving keys (fetched from /zk/ once, then
// served by the service worker's cache) and exposes the lib's Prover through comlink; the page's side is
// src/ui/share/prover-client.ts. bigints cross as they are (structured clone keeps them); a thrown error arrives
// with its name and sentence, and the page turns it back into the typed error.
import { expose } from 'comlink';
import { fetchArtifactSource } from '../lib/zk/artifacts.browser';
import { createProver, type Prover } from '../lib/zk/index';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const prover: Prover = createProver(fetchArtifactSource(new URL('/zk/', scope.location.origin).href));

expose(prover);
