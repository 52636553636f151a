// The G-code guard on its own: what it lets through and what it refuses, against the JGAurora Z-603S envelope.
import { describe, expect, it } from 'vitest';
import { GcodeGuard, parseEnvelope, type MachineEnvelope } from './envelope';

const JG: MachineEnvelope = {
  hotendMax: 260,
  bedMax: 110,
  buildVolume: { x: 280, y: 180, z: 180 },
  maxFeedrate: { x: 300, y: 300, z: 12, e: 50 },
  extruders: 1,
  speedPercentMax: 300,
};

describe('GcodeGuard', () => {
  it('lets a slicer-shaped job through inside the envelope', () => {
    const g = new GcodeGuard(JG);
    const job = [
      'M73 P0 R10',
      'M201 X1000 Y1000',
      'M203 X300 Y300 Z12 E50',
      'M204 P500',
      'M205 X8',
      'M140 S60',
      'M104 S215',
      'M190 S60',
      'M109 S215',
      'G28',
      'G90',
      'M83',
      'G92 E0',
      'G1 Z0.2 F720',
      'G1 X10 Y10 F9000',
      'G1 X270 Y170 E12.5 F1800',
      'G2 X20 Y10 I5 J0',
      'N12 G1 X0 Y0*87',
      'G1 X0.5 ; comment',
      'M106 S255',
      'M107',
      'M117 Printing…',
      'T0',
      'M84',
    ];
    for (const line of job) expect([line, g.admit(line)]).toEqual([line, null]);
  });

  it('lets the preambles real slicers write through (PrusaSlicer, Cura, Bambu Studio/OrcaSlicer)', () => {
    const g = new GcodeGuard(JG);
    const preamble = [
      'M73 P0 R4',
      'M73 Q0 S4',
      'M201 X1000 Y1000 Z200 E5000 ; sets maximum accelerations, mm/sec^2',
      'M203 X200 Y200 Z12 E50 ; sets maximum feedrates, mm / sec',
      'M204 P1250 R1250 T1250',
      'M205 X8.00 Y8.00 Z0.40 E4.50 ; sets the jerk limits, mm/sec',
      'M205 S0 T0',
      'M107',
      ';TYPE:Custom',
      'M862.3 P "MK3S" ; printer model check',
      'M862.1 P0.4 ; nozzle diameter check',
      'M115 U3.13.0 ; tell printer latest fw version',
      'G90 ; use absolute coordinates',
      'M83',
      'M104 S215',
      'M140 S60',
      'M190 S60',
      'M109 S215',
      'G28 W ; home all without mesh bed level',
      'G29',
      'M420 S1 ; use the mesh',
      'M900 K0.04 ; Filament gcode LA 1.5',
      'M221 S95',
      'G21',
      'M106 P1 S0 ; part fan',
      'M73 L1',
      'M82 ;absolute extrusion mode',
    ];
    for (const line of preamble.filter((l) => !l.startsWith(';'))) expect([line, g.admit(line)]).toEqual([line, null]);
    // The free text of those commands cannot carry a second command, and without an envelope they stay refused.
    expect(g.admit('M862.3 P "MK3S"\nM500')).toMatch(/not one G-code line/);
    expect(new GcodeGuard(undefined).admit('M862.3 P "MK3S"')).toMatch(/only answers queries/);
    expect(g.admit('G28 W Q')).toMatch(/unknown parameter Q/);
  });

  it('refuses heat, motion and settings outside it, and commands it does not know', () => {
    const g = new GcodeGuard(JG);
    expect(g.admit('G28')).toBeNull();
    const cases: [string, RegExp][] = [
      ['M104 S270', /270 °C is above the 260 °C the hotend/],
      ['M109 R300', /300 °C/],
      ['M104 T1 S200', /tool T1 does not exist/],
      ['M140 S111', /111 °C is above the 110 °C the bed/],
      ['G1 X500 Y500 Z600', /X 500 mm is outside the build volume \(0–280 mm\)/],
      ['G0 Y-1', /Y -1 mm/],
      ['G1 Z180.5', /Z 180.5 mm/],
      ['G1 X10 F18001', /feed rate/],
      ['M203 Z50', /50 mm\/s for Z/],
      ['M220 S400', /print speed 400 %/],
      ['G92 X0', /G92 may only reset the extruder/],
      ['G2 X10 Y10 R50', /radius R/],
      ['G2 X0 Y0 I200 J0', /arc leaves the build volume/],
      ['M500', /not among the commands/],
      ['M502', /not among/],
      ['M302 S0', /not among/],
      ['M211 S0', /not among/],
      ['M997', /not among/],
      ['G1 X10 Q5', /unknown parameter Q/],
      ['hello', /not a G-code command/],
      ['G1 X1e9', /exponent/],
      ['G1 X500 X10', /gives X twice/],
      ['M104 S200\nM500', /not one G-code line/],
      ['G1 X10 Y', /Y has no number/],
    ];
    for (const [line, reason] of cases) expect([line, g.admit(line)]).toEqual([line, expect.stringMatching(reason)]);
  });

  it('tracks relative moves: refused until the position is known, and kept inside once it is', () => {
    const g = new GcodeGuard(JG);
    expect(g.admit('G91')).toBeNull();
    expect(g.admit('G1 X10')).toMatch(/needs a known position: home the printer first/);
    expect(g.admit('G28 X')).toBeNull();
    expect(g.admit('G1 X200')).toBeNull();
    expect(g.admit('G1 X70')).toBeNull();
    expect(g.admit('G1 X20')).toMatch(/X 290 mm is outside/);
    expect(g.admit('G1 Y5')).toMatch(/relative move on Y needs a known position/);
  });

  it('refusal() does not change state; admit() does; M84 forgets the position', () => {
    const g = new GcodeGuard(JG);
    g.admit('G28');
    g.admit('G91');
    expect(g.refusal('G1 X200')).toBeNull();
    expect(g.refusal('G1 X200')).toBeNull();
    expect(g.admit('G1 X200')).toBeNull();
    expect(g.admit('G1 X200')).toMatch(/X 400 mm is outside/);
    expect(g.admit('M84')).toBeNull();
    expect(g.admit('G1 X-1')).toMatch(/known position/);
  });

  it('without an envelope the printer only answers queries', () => {
    const g = new GcodeGuard(undefined, 'the twin has no formalization context to state the machine envelope');
    for (const q of ['M105', 'M114', 'M115', 'G90']) expect(g.admit(q)).toBeNull();
    for (const c of ['G28', 'M104 S200', 'G1 X1', 'M106 S255']) expect(g.admit(c)).toMatch(/no formalization context.*only answers queries/);
  });

  it('parseEnvelope says what is missing', () => {
    expect(parseEnvelope(JG)).toEqual({ envelope: JG });
    expect(parseEnvelope(undefined)).toEqual({ problem: expect.stringMatching(/no operating envelope/) });
    expect(parseEnvelope({ ...JG, hotendMax: 'hot' })).toEqual({ problem: expect.stringMatching(/hotendMax/) });
    expect(parseEnvelope({ ...JG, buildVolume: { x: 1, y: 2 } })).toEqual({ problem: expect.stringMatching(/buildVolume/) });
    expect(parseEnvelope({ ...JG, extruders: 0 })).toEqual({ problem: expect.stringMatching(/extruders/) });
  });
});
