/// <reference lib="webworker" />
// Groth16 proving off the main thread: the page posts circuit inputs, this worker loads snarkjs and the proving keys
// (fetched from /zk/ once, then served by the service worker's cache) and answers with stages and the proof.
import { createProver } from '../lib/zk/index';
import { fetchArtifactSource } from '../lib/zk/artifacts.browser';
import type { ProverRequest, ProverResponse } from './prover-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const prover = createProver(fetchArtifactSource(new URL('/zk/', scope.location.origin).href));
const send = (message: ProverResponse): void => scope.postMessage(message);

scope.onmessage = async (event: MessageEvent<ProverRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'warmUp') {
      await prover.warmUp(request.circuits);
      send({ id: request.id, type: 'done', result: null });
    } else if (request.type === 'prove') {
      const result = await prover.prove(request.input, (stage) => send({ id: request.id, type: 'stage', stage }));
      send({ id: request.id, type: 'done', result });
    } else {
      send({ id: request.id, type: 'done', result: await prover.verify(request.circuit, request.publicSignals, request.proof) });
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send({ id: request.id, type: 'error', name: e.name, message: e.message });
  }
};
