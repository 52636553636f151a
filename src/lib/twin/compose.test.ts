import { describe, expect, it } from 'vitest';
import { packGranule, unpackGranule } from '../granule/index';
import { sampleFiles } from '../granule/test-fixture';
import { dependencyIssues, sharedGranules, withGranule } from './compose';
import type { RuntimeGranule } from './runtime';
import { validateTwin, type Twin } from './model';

function g(
  context: string,
  version: string,
  deps: { name: string; version: string; alpha?: string }[] = [],
  extra: Record<string, unknown> = {},
): RuntimeGranule {
  const { bytes } = packGranule({ files: sampleFiles({ name: `o/${context}`, context, version, dependencies: { granules: deps, libraries: [] }, ...extra }) });
  const u = unpackGranule({ bytes });
  return { context, manifest: u.manifest, files: u.files, alpha: u.alphaHex };
}

describe('composition helpers', () => {
  it('dependencyIssues: missing, wrong version, wrong pinned α', () => {
    const mech = g('mechanical', '1.4.0');
    expect(dependencyIssues([mech, g('simulation', '1.0.0', [{ name: 'mechanical', version: '^1.2.0' }])])).toEqual([]);
    expect(dependencyIssues([g('simulation', '1.0.0', [{ name: 'mechanical', version: '^1.0.0' }])])[0]!.message).toMatch(/does not have/);
    expect(dependencyIssues([mech, g('simulation', '1.0.0', [{ name: 'mechanical', version: '^2.0.0' }])])[0]!.message).toMatch(/is 1\.4\.0/);
    expect(dependencyIssues([mech, g('simulation', '1.0.0', [{ name: 'o/mechanical', version: '*', alpha: '0x' + '0'.repeat(64) }])])[0]!.message).toMatch(
      /pins/,
    );
  });

  it('dependencyIssues: consumed events the twin cannot produce', () => {
    const sensing = g('sensing', '1.0.0', [], { provides: { operations: ['echo'], events: ['reading'] } });
    const listens = (topic: string) => g('appearance', '1.0.0', [], { consumes: { events: [topic] } });
    expect(dependencyIssues([sensing, listens('sensing:reading')])).toEqual([]);
    expect(dependencyIssues([sensing, listens('sensing:secret')])[0]!.message).toMatch(/does not emit/);
    expect(dependencyIssues([listens('task:progress')])[0]!.message).toMatch(/no task context/);
  });

  it('withGranule swaps one context and keeps the twin valid; sharedGranules finds common α', () => {
    const a = g('appearance', '1.0.0');
    const twin: Twin = {
      id: 't',
      name: 'T',
      domains: [
        {
          name: 'business',
          contexts: [
            { name: 'appearance', phase: 'physical', granule: { name: 'x', version: '1.0.0' }, models: ['x:m'], views: ['x:v'], controllers: ['x:c'] },
          ],
        },
      ],
    };
    const swapped = withGranule(twin, a);
    expect(swapped.domains[0]!.contexts[0]!.granule.alpha).toBe(a.alpha);
    // The sample granule declares domain "business", matching where it is placed.
    expect(validateTwin(swapped)).toEqual([]);
    expect(() => withGranule(twin, g('nope', '1.0.0'))).toThrow(RangeError);
    const shared = sharedGranules([
      { id: 'p', granules: [{ ...a, bytes: new Uint8Array(), size: 0, alpha: a.alpha as `0x${string}` }] },
      { id: 'q', granules: [{ ...a, bytes: new Uint8Array(), size: 0, alpha: a.alpha as `0x${string}` }] },
    ]);
    expect(shared).toEqual([{ alpha: a.alpha, name: 'o/appearance', context: 'appearance', twins: ['p', 'q'] }]);
  });
});
