// The browser fetches the committed artifacts from /zk/ (the service worker caches them after the first load).
import type { CircuitName } from './constants';
import { ArtifactLoadError } from './errors';
import type { ArtifactKind, ArtifactSource } from './prover';

export function fetchArtifactSource(baseUrl = '/zk/', fetchImpl: typeof fetch = (...a) => fetch(...a)): ArtifactSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    async load(circuit: CircuitName, kind: ArtifactKind) {
      const url = `${base}${kind === 'vkey' ? `${circuit}.vkey.json` : `${circuit}.${kind}`}`;
      let response: Response;
      try {
        response = await fetchImpl(url);
      } catch {
        throw new ArtifactLoadError(`The proving key ${url} could not be downloaded (offline?). Connect once so it can be cached.`);
      }
      if (!response.ok) throw new ArtifactLoadError(`The server has no ${url} (HTTP ${response.status}): the app was deployed without its proving keys.`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
