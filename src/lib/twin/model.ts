// The MVC-DDD model of a digital twin (paper §3, Definitions 1–4): Twin → Domain → BoundedContext → MVC elements,
// with the lifecycle phase of each context. validateTwin() checks the definitions and names each breaking element.
import { PHASES, type LifecyclePhase } from '../granule/index';

type MvcKind = 'model' | 'view' | 'controller';

interface GranuleRef {
  name: string;
  version: string;
  /** Known once the granule is packed. */
  alpha?: string;
  /** Owner's public key (hex) — "" while unregistered. */
  owner?: string;
}

interface BoundedContext {
  name: string;
  phase: LifecyclePhase;
  granule: GranuleRef;
  /** Element ids, e.g. "shdm-3ddtp-500/appearance:model.js" — qualified by granule so they are unique across a twin. */
  models: string[];
  views: string[];
  controllers: string[];
  /** The domain the granule's manifest claims, checked against the domain that holds it. */
  declaredDomain?: string;
}

interface Domain {
  name: string;
  contexts: BoundedContext[];
}

export interface Twin {
  id: string;
  name: string;
  description?: string;
  domains: Domain[];
  /** DT^MVC declared at twin level (Definition 3); when absent it is taken as the union of the contexts. */
  mvc?: { models: string[]; views: string[]; controllers: string[] };
}

export interface Violation {
  definition: 1 | 2 | 3 | 4;
  /** The element that breaks the definition, as a readable path: "domain ontology", "context appearance", "element x". */
  element: string;
  message: string;
}

export function elementId(granuleName: string, path: string): string {
  return `${granuleName}:${path}`;
}

/** The twin's MVC triple (Definition 3) as the union of its contexts' elements. */
function mvcOf(twin: Twin): { models: string[]; views: string[]; controllers: string[] } {
  const out = { models: [] as string[], views: [] as string[], controllers: [] as string[] };
  for (const d of twin.domains)
    for (const c of d.contexts) {
      out.models.push(...c.models);
      out.views.push(...c.views);
      out.controllers.push(...c.controllers);
    }
  return out;
}

/** Checks Definitions 1–4; an empty list means the twin is a valid MVC-DDD twin. */
export function validateTwin(twin: Twin): Violation[] {
  const v: Violation[] = [];
  // Definition 1: a nonempty set of domains.
  if (!Array.isArray(twin.domains) || twin.domains.length === 0) {
    v.push({ definition: 1, element: `twin ${twin.id}`, message: 'a twin is a nonempty set of domains, this one has none' });
    return v;
  }
  const domainNames = new Map<string, number>();
  const contextOwner = new Map<string, string>(); // context name → domain
  const elementOwner = new Map<string, { context: string; kind: MvcKind }>();
  for (const d of twin.domains) {
    domainNames.set(d.name, (domainNames.get(d.name) ?? 0) + 1);
    // Definition 2: a domain is a nonempty set of bounded contexts.
    if (!d.contexts || d.contexts.length === 0)
      v.push({ definition: 2, element: `domain ${d.name}`, message: 'a domain is a nonempty set of bounded contexts, this one has none' });
    for (const c of d.contexts ?? []) {
      const where = `context ${c.name} (domain ${d.name})`;
      // D_i ∩ D_j = ∅: a context belongs to exactly one domain.
      const prior = contextOwner.get(c.name);
      if (prior !== undefined) {
        v.push({
          definition: 4,
          element: where,
          message:
            prior === d.name
              ? `context "${c.name}" appears twice in domain ${d.name}`
              : `context "${c.name}" is in both domain ${prior} and domain ${d.name} (domains must be disjoint)`,
        });
      } else contextOwner.set(c.name, d.name);
      if (c.declaredDomain !== undefined && c.declaredDomain !== d.name) {
        v.push({
          definition: 4,
          element: where,
          message: `its granule ${c.granule.name} declares domain "${c.declaredDomain}" but the twin puts it in "${d.name}"`,
        });
      }
      if (!(PHASES as readonly string[]).includes(c.phase))
        v.push({ definition: 4, element: where, message: `lifecycle phase "${String(c.phase)}" is not one of ${PHASES.join(', ')}` });
      // Definition 4: bc = M' ∪ V' ∪ C' with each part nonempty.
      for (const [kind, list] of [
        ['model', c.models],
        ['view', c.views],
        ['controller', c.controllers],
      ] as const) {
        if (!list || list.length === 0)
          v.push({ definition: 4, element: where, message: `has no ${kind} (every bounded context needs at least one model, one view and one controller)` });
        for (const id of list ?? []) {
          const owner = elementOwner.get(id);
          // bc_i ∩ bc_j = ∅: an MVC element belongs to one context, once.
          if (owner)
            v.push({
              definition: 4,
              element: `element ${id}`,
              message:
                owner.context === c.name
                  ? `listed twice in context ${c.name}`
                  : `is in both context ${owner.context} and context ${c.name} (bounded contexts must be disjoint)`,
            });
          else elementOwner.set(id, { context: c.name, kind });
        }
      }
    }
  }
  for (const [name, count] of domainNames)
    if (count > 1) v.push({ definition: 4, element: `domain ${name}`, message: `appears ${count} times (domains must be disjoint)` });
  // Definition 3: M, V, C of the twin each nonempty.
  const union = mvcOf(twin);
  for (const [kind, list] of [
    ['models', union.models],
    ['views', union.views],
    ['controllers', union.controllers],
  ] as const) {
    if (list.length === 0) v.push({ definition: 3, element: `twin ${twin.id}`, message: `the set of ${kind} is empty` });
  }
  // DT^MVC = DT^DDD: the declared MVC elements are exactly those encapsulated by the contexts.
  if (twin.mvc) {
    for (const [kind, declared] of [
      ['model', twin.mvc.models],
      ['view', twin.mvc.views],
      ['controller', twin.mvc.controllers],
    ] as const) {
      for (const id of declared) {
        const owner = elementOwner.get(id);
        if (!owner)
          v.push({ definition: 4, element: `element ${id}`, message: `is a ${kind} of the twin but no bounded context encapsulates it (DT^MVC ≠ DT^DDD)` });
        else if (owner.kind !== kind)
          v.push({ definition: 4, element: `element ${id}`, message: `is declared a ${kind} but context ${owner.context} holds it as a ${owner.kind}` });
      }
    }
    const declaredAll = new Set([...twin.mvc.models, ...twin.mvc.views, ...twin.mvc.controllers]);
    for (const [id, owner] of elementOwner) {
      if (!declaredAll.has(id))
        v.push({ definition: 4, element: `element ${id}`, message: `context ${owner.context} holds it but the twin's MVC sets do not (DT^DDD ≠ DT^MVC)` });
    }
  }
  return v;
}
