// Turning a loaded twin into running granules: each granule source is packed into its canonical archive and unpacked
// again (so what runs is exactly what α names), and helpers to see which granules twins share and to swap one in.
import { packGranule, satisfies, unpackGranule } from '../granule/index';
import type { RuntimeGranule } from './runtime';
import type { GranuleSource, LoadedTwin } from './source';
import { elementId, type Twin } from './model';

export interface PackedGranule extends RuntimeGranule {
  bytes: Uint8Array;
  alpha: `0x${string}`;
  size: number;
}

export function packSource(context: string, source: GranuleSource): PackedGranule {
  const packed = packGranule({ files: source.files });
  const { manifest, files, alphaHex } = unpackGranule({ bytes: packed.bytes, expectedAlpha: packed.alpha });
  return { context, manifest, files, alpha: alphaHex, bytes: packed.bytes, size: packed.size };
}

/** Packs every granule of a twin, in context order. */
export function packTwin(loaded: LoadedTwin): PackedGranule[] {
  return [...loaded.granules].map(([context, source]) => packSource(context, source));
}

/** For each granule α used by more than one twin: which twins use it, in which context. */
export function sharedGranules(twins: { id: string; granules: PackedGranule[] }[]): { alpha: string; name: string; context: string; twins: string[] }[] {
  const byAlpha = new Map<string, { alpha: string; name: string; context: string; twins: string[] }>();
  for (const t of twins)
    for (const g of t.granules) {
      const entry = byAlpha.get(g.alpha) ?? { alpha: g.alpha, name: g.manifest.name, context: g.context, twins: [] };
      if (!entry.twins.includes(t.id)) entry.twins.push(t.id);
      byAlpha.set(g.alpha, entry);
    }
  return [...byAlpha.values()].filter((e) => e.twins.length > 1);
}

/**
 * The twin model with one context's granule replaced (composition from different owners): the context keeps its
 * name and domain, its MVC elements become the new granule's. Throws if the granule is for another context.
 */
export function withGranule(twin: Twin, granule: RuntimeGranule): Twin {
  const m = granule.manifest;
  let found = false;
  const domains = twin.domains.map((d) => ({
    ...d,
    contexts: d.contexts.map((c) => {
      if (c.name !== granule.context) return c;
      found = true;
      const q = (p: string) => elementId(m.name, p);
      return {
        ...c,
        phase: m.phase,
        declaredDomain: m.domain,
        granule: { name: m.name, version: m.version, alpha: granule.alpha, owner: m.owner.publicKey },
        models: m.mvc.models.map(q),
        views: m.mvc.views.map(q),
        controllers: m.mvc.controllers.map(q),
      };
    }),
  }));
  if (!found) throw new RangeError(`the twin has no "${granule.context}" context`);
  return { ...twin, domains };
}

/**
 * Checks every granule's declared dependencies against the granules composed with it: a dependency names a context
 * (or a granule name), must be present, must satisfy its version range, and must have the pinned α when one is given;
 * every event it consumes must be one the named context emits. The runtime enforces the same declarations on calls.
 */
export function dependencyIssues(granules: RuntimeGranule[]): { context: string; message: string }[] {
  const issues: { context: string; message: string }[] = [];
  for (const g of granules) {
    for (const dep of g.manifest.dependencies.granules) {
      const target = granules.find((x) => x.context === dep.name || x.manifest.name === dep.name);
      if (!target) issues.push({ context: g.context, message: `needs "${dep.name}" ${dep.version}, which the twin does not have` });
      else if (!satisfies(target.manifest.version, dep.version))
        issues.push({ context: g.context, message: `needs "${dep.name}" ${dep.version} but ${target.manifest.name} is ${target.manifest.version}` });
      else if (dep.alpha && target.alpha !== dep.alpha)
        issues.push({
          context: g.context,
          message: `pins "${dep.name}" to α ${dep.alpha.slice(0, 12)}… but the twin has ${String(target.alpha).slice(0, 12)}…`,
        });
    }
    // The runtime delivers only declared events: one the twin cannot produce would simply never arrive.
    for (const topic of g.manifest.consumes?.events ?? []) {
      const [context, event] = [topic.slice(0, topic.indexOf(':')), topic.slice(topic.indexOf(':') + 1)];
      const producer = granules.find((x) => x.context === context);
      if (!producer) issues.push({ context: g.context, message: `listens to "${topic}", but the twin has no ${context} context` });
      else if (!producer.manifest.provides.events.includes(event))
        issues.push({ context: g.context, message: `listens to "${topic}", which ${producer.manifest.name} does not emit` });
    }
  }
  return issues;
}
