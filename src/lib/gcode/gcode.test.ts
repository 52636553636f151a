import { describe, expect, it } from 'vitest';
import { getPrinterProfile, machineOf, motionLimitsOf } from '../machines/index';
import {
  GcodeAnalyzer,
  GcodeInterpreter,
  MotionPlanner,
  applyLimitCommand,
  arcPoints,
  featureOfComment,
  generateTestGcode,
  layerOfCommand,
  parseCommand,
  segmentsUpTo,
  trapezoidSeconds,
} from './index';

const machine = () => machineOf(getPrinterProfile('jgaurora-z-603s'));
const run = (lines: string[]) => {
  const a = new GcodeAnalyzer(machine());
  for (const l of lines) a.push(l);
  return a.result();
};

describe('G-code words', () => {
  it('parses words, sub-codes, text arguments and flags', () => {
    expect(parseCommand('G1 X10.5 Y-2 E.4 F1800 ; go')).toMatchObject({ word: 'G1', args: { X: 10.5, Y: -2, E: 0.4, F: 1800 } });
    expect(parseCommand('M862.3 P "MK3S"')).toMatchObject({ word: 'M862.3', sub: 3, args: {} });
    expect(parseCommand('G28 X Y')!.args).toHaveProperty('X');
    expect(parseCommand('; only a comment')).toBeUndefined();
    expect(parseCommand('g1x5y6')).toMatchObject({ word: 'G1', args: { X: 5, Y: 6 } });
  });

  it('maps Cura, PrusaSlicer and Bambu/Orca feature comments', () => {
    expect(featureOfComment('TYPE:WALL-OUTER')).toBe(1);
    expect(featureOfComment('TYPE:External perimeter')).toBe(1);
    expect(featureOfComment('FEATURE: Outer wall')).toBe(1);
    expect(featureOfComment('TYPE:WALL-INNER')).toBe(2);
    expect(featureOfComment('TYPE:Perimeter')).toBe(2);
    expect(featureOfComment('FEATURE: Sparse infill')).toBe(3);
    expect(featureOfComment('TYPE:Solid infill')).toBe(4);
    expect(featureOfComment('TYPE:SKIN')).toBe(4);
    expect(featureOfComment('TYPE:SKIRT')).toBe(6);
    expect(featureOfComment('FEATURE: Support')).toBe(5);
    expect(featureOfComment('LAYER:3')).toBeUndefined();
  });
});

describe('the interpreter', () => {
  it('keeps Marlin modal state: G90/G91, M82/M83, G92, inches, feed and overrides', () => {
    const i = new GcodeInterpreter();
    const go = (t: string) => i.execute(parseCommand(t)!);
    go('G1 X10 Y10 E1 F600');
    go('G91');
    go('G1 X5 E1');
    expect(i.position).toMatchObject({ x: 15, y: 10, e: 2 });
    go('G90');
    go('M83');
    go('G1 X0 E0.5');
    expect(i.position).toMatchObject({ x: 0, e: 2.5 });
    go('G92 E0 X100');
    expect(i.position).toMatchObject({ x: 100, e: 0 });
    go('G20');
    go('G1 X1');
    expect(i.position.x).toBeCloseTo(25.4);
    go('G21');
    go('M220 S50');
    const m = go('G1 X10 F1200');
    expect(m).toMatchObject({ kind: 'move', feed: 600 });
  });

  it('cuts G2/G3 arcs (I/J and R forms) into chords on the circle', () => {
    const from = { x: 10, y: 0, z: 0, e: 0 };
    const to = { x: 0, y: 10, z: 1, e: 2 };
    for (const pts of [arcPoints(from, to, { clockwise: false, i: -10, j: 0 }), arcPoints(from, to, { clockwise: false, r: 10 })]) {
      expect(pts.length).toBe(Math.floor((Math.PI * 5 * 1.0) / 1)); // quarter circle r=10 → ~15.7 mm with a 1 mm helix rise
      for (const p of pts) expect(Math.hypot(p.x, p.y)).toBeCloseTo(10, 6);
      expect(pts.at(-1)).toEqual(to);
      expect(pts[0]!.z).toBeGreaterThan(0);
      expect(pts[0]!.x).toBeGreaterThan(9); // counter-clockwise from (10,0) goes up first
      expect(pts[0]!.y).toBeGreaterThan(0);
    }
    // Clockwise from (10,0) to (0,10) about the origin is the long way (three quarters).
    const cw = arcPoints(from, to, { clockwise: true, i: -10, j: 0 });
    expect(cw[0]!.y).toBeLessThan(0);
    expect(cw.length).toBeGreaterThan(40);
    // Same start and end: a full circle.
    const full = arcPoints(from, from, { clockwise: false, i: -10, j: 0 });
    expect(full.length).toBe(62);
  });
});

describe('the planner', () => {
  it('honours M201–M205 and joins collinear moves without stopping', () => {
    const limits = motionLimitsOf(getPrinterProfile('jgaurora-z-603s'));
    applyLimitCommand(limits, parseCommand('M201 X500 Y500')!);
    applyLimitCommand(limits, parseCommand('M203 X100 Y100')!);
    applyLimitCommand(limits, parseCommand('M204 P400 R1000 T600')!);
    applyLimitCommand(limits, parseCommand('M205 X8 Y8')!);
    expect(limits).toMatchObject({ maxAcceleration: { x: 500 }, maxFeedrate: { x: 100 }, printAcceleration: 400, travelAcceleration: 600, jerk: { x: 8 } });
    const p = new MotionPlanner(limits);
    const o = { x: 0, y: 0, z: 0, e: 0 };
    // Ten 10 mm collinear extrusion moves at 6000 mm/min: capped at 100 mm/s, accelerated once at 400 mm/s².
    for (let k = 0; k < 10; k++) p.add({ ...o, x: k * 10, e: k }, { ...o, x: (k + 1) * 10, e: k + 1 }, 6000);
    const total = p.flush().reduce((s, b) => s + b.seconds, 0);
    const oneTrapezoid = trapezoidSeconds(100, 8, 8, 100, 400);
    expect(total).toBeCloseTo(oneTrapezoid, 2);
    // The same moves with a stop at every junction take much longer.
    expect(10 * trapezoidSeconds(10, 8, 8, 100, 400)).toBeGreaterThan(total * 1.3);
  });
});

describe('the analysis', () => {
  it('finds layers, tool paths, features, filament and an estimate that includes heating', () => {
    const r = run([...generateTestGcode({ layers: 5, segmentsPerSide: 4, hotend: 200, bed: 60 })]);
    expect(r.layers).toHaveLength(5);
    expect(r.layers[2]!.z).toBeCloseTo(0.6, 5);
    expect(r.featureSegments.reduce((a, b) => a + b, 0)).toBe(5 * 16);
    // Collinear pieces of a side are merged for display: 4 sides per layer.
    expect(r.displaySegments.extrusion).toBe(5 * 4);
    expect(r.filamentMm).toBeCloseTo(5 * 16 * 5 * 0.033, 3);
    expect(r.heatingSeconds).toBeGreaterThan(30);
    expect(r.estimateSeconds).toBeGreaterThan(r.heatingSeconds);
    expect(layerOfCommand(r.layers, r.layers[3]!.firstCommand)).toBe(3);
    expect(r.unknownCommands.count).toBe(0);
    expect(r.bounds.min[0]).toBeCloseTo(40);
    expect(r.bounds.max[0]).toBeCloseTo(60);
  });

  it('keeps extrusion and travel apart, colours by feature and orders segments by command', () => {
    const r = run([
      'G90',
      'M83',
      'G1 Z0.2 F600',
      'G0 X10 Y10',
      ';TYPE:WALL-OUTER',
      'G1 X20 E1',
      'G1 Y20 E1',
      ';TYPE:FILL',
      'G1 X10 E1',
      'G0 X50',
      'G2 X60 Y20 I5 J0 E1',
      'M862.3 P "MK3S"',
      'G80',
    ]);
    const ext = r.chunks.find((c) => !c.travel)!;
    const trav = r.chunks.find((c) => c.travel)!;
    expect(trav.count).toBe(2);
    expect(r.arcs).toBe(1);
    expect([...ext.colors.slice(0, 3)]).toEqual([242, 177, 52]);
    expect([...ext.colors.slice(12, 15)]).toEqual([200, 60, 80]);
    expect(r.featureSegments[1]).toBe(2);
    expect(r.featureSegments[3]).toBeGreaterThan(5);
    const cmds = [...ext.commands];
    expect(cmds).toEqual([...cmds].sort((a, b) => a - b));
    expect(segmentsUpTo(ext.commands, 4)).toBe(1);
    // The arc stays on its circle: its highest point is 5 mm above the chord.
    let maxY = 0;
    for (let k = 0; k < ext.count * 2; k++) maxY = Math.max(maxY, ext.positions[k * 3 + 1]!);
    expect(maxY).toBeCloseTo(25, 1);
    expect(r.unknownCommands).toEqual({ count: 1, examples: ['G80'] });
  });

  it('reads arcs and G2/G3 the same on every printer, and never runs past the build volume', () => {
    const r = run(['G28', 'G1 X1000 Y5 Z0.2 E1']);
    expect(r.bounds.max[0]).toBe(280);
  });
});
