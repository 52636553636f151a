import { describe, expect, it } from 'vitest';
import { environmentConflicts } from './environment-conflicts';

const env = (environment: Record<string, unknown>) => ({ name: 'x/mechanical', environment });

describe('environmentConflicts', () => {
  it('names a build volume and firmware the rest of the twin contradicts', () => {
    const shdm = env({ buildVolume: { x: 500, y: 500, z: 600 }, firmware: { name: 'Marlin', version: '2.1' } });
    const jga = [env({ buildVolume: { x: 280, y: 180, z: 180 }, firmware: { name: 'Marlin', version: '1.1' } }), env({ printerModel: 'JGAurora Z-603S' })];
    const conflicts = environmentConflicts(shdm, jga);
    expect(conflicts.map((c) => c.parameter)).toEqual(['buildVolume', 'firmware']);
    expect(conflicts[0]!.message).toBe('x/mechanical was made for a build volume of 500 × 500 × 600 mm, but the rest of this twin says 280 × 180 × 180 mm.');
  });

  it('is silent when the environments agree or say nothing', () => {
    expect(environmentConflicts(env({ buildVolume: { x: 1, y: 2, z: 3 } }), [env({ buildVolume: { x: 1, y: 2, z: 3 } }), env({})])).toEqual([]);
    expect(environmentConflicts(env({}), [env({ firmware: 'Marlin' })])).toEqual([]);
  });
});
