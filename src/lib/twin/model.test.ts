import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateTwin, type Twin } from './model';

function ctx(name: string, extra: Partial<Twin['domains'][number]['contexts'][number]> = {}) {
  return {
    name,
    phase: 'physical' as const,
    granule: { name: `g/${name}`, version: '1.0.0' },
    models: [`g/${name}:m.js`],
    views: [`g/${name}:v.js`],
    controllers: [`g/${name}:c.js`],
    ...extra,
  };
}
const good: Twin = {
  id: 't',
  name: 'T',
  domains: [
    { name: 'ontology', contexts: [ctx('appearance'), ctx('mechanical')] },
    { name: 'business', contexts: [ctx('task', { phase: 'servitization' })] },
  ],
};

describe('validateTwin (Definitions 1–4)', () => {
  it('accepts a valid twin', () => {
    expect(validateTwin(good)).toEqual([]);
  });

  it('Definition 1: no domains', () => {
    expect(validateTwin({ ...good, domains: [] })).toEqual([expect.objectContaining({ definition: 1, element: 'twin t' })]);
  });

  it('Definition 2: a domain without contexts', () => {
    const v = validateTwin({ ...good, domains: [...good.domains, { name: 'enabling', contexts: [] }] });
    expect(v).toEqual([expect.objectContaining({ definition: 2, element: 'domain enabling' })]);
  });

  it('Definition 4: a context without a view, naming the context', () => {
    const v = validateTwin({ ...good, domains: [{ name: 'ontology', contexts: [ctx('appearance', { views: [] })] }] });
    expect(v.some((x) => x.definition === 4 && x.element.startsWith('context appearance') && /no view/.test(x.message))).toBe(true);
  });

  it('Definition 4: contexts and domains must be disjoint', () => {
    const shared = validateTwin({ ...good, domains: [{ name: 'ontology', contexts: [ctx('a'), ctx('b', { models: ['g/a:m.js'] })] }] });
    expect(shared).toEqual([expect.objectContaining({ definition: 4, element: 'element g/a:m.js' })]);
    const twice = validateTwin({
      ...good,
      domains: [
        { name: 'ontology', contexts: [ctx('a')] },
        { name: 'enabling', contexts: [ctx('a', { models: ['x:m'], views: ['x:v'], controllers: ['x:c'] })] },
      ],
    });
    expect(twice[0]).toMatchObject({ definition: 4, element: 'context a (domain enabling)' });
    const dupDomain = validateTwin({
      ...good,
      domains: [
        { name: 'ontology', contexts: [ctx('a')] },
        { name: 'ontology', contexts: [ctx('b')] },
      ],
    });
    expect(dupDomain).toEqual([expect.objectContaining({ definition: 4, element: 'domain ontology' })]);
  });

  it('Definition 4: DT^MVC = DT^DDD in both directions', () => {
    const all = {
      models: ['g/appearance:m.js', 'g/mechanical:m.js', 'g/task:m.js'],
      views: ['g/appearance:v.js', 'g/mechanical:v.js', 'g/task:v.js'],
      controllers: ['g/appearance:c.js', 'g/mechanical:c.js', 'g/task:c.js'],
    };
    expect(validateTwin({ ...good, mvc: all })).toEqual([]);
    const extra = validateTwin({ ...good, mvc: { ...all, views: [...all.views, 'loose:v.js'] } });
    expect(extra).toEqual([expect.objectContaining({ element: 'element loose:v.js' })]);
    const missing = validateTwin({ ...good, mvc: { ...all, models: all.models.slice(1) } });
    expect(missing).toEqual([expect.objectContaining({ element: 'element g/appearance:m.js' })]);
  });

  it('a granule placed in another domain than it declares, and a bad phase', () => {
    const v = validateTwin({ ...good, domains: [{ name: 'ontology', contexts: [ctx('a', { declaredDomain: 'business', phase: 'nope' as never })] }] });
    expect(v.map((x) => x.element)).toEqual(['context a (domain ontology)', 'context a (domain ontology)']);
  });

  it('fuzz: random twins never crash the validator', () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const context = fc.record({
      name,
      phase: fc.constantFrom('physical', 'virtualization', 'x'),
      granule: fc.record({ name, version: fc.constant('1.0.0') }),
      models: fc.array(name, { maxLength: 2 }),
      views: fc.array(name, { maxLength: 2 }),
      controllers: fc.array(name, { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(fc.record({ name, contexts: fc.array(context, { maxLength: 3 }) }), { maxLength: 3 }), (domains) => {
        const v = validateTwin({ id: 't', name: 'T', domains: domains as Twin['domains'] });
        for (const x of v) expect(x.element.length).toBeGreaterThan(0);
      }),
    );
  });
});
