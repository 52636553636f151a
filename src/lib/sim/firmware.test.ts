import { describe, expect, it } from 'vitest';
import { VirtualMarlin } from './index';
import { getPrinterProfile, Heater, printerProfiles, UnknownPrinterModelError } from '../machines/index';
import { trapezoidSeconds } from '../gcode/index';

function firmware(model: string, opts: Partial<ConstructorParameters<typeof VirtualMarlin>[0]> = {}) {
  const fw = new VirtualMarlin({ profile: getPrinterProfile(model), commandDelayMs: 0, ...opts });
  let out = '';
  fw.onOutput((b) => (out += new TextDecoder().decode(b)));
  fw.boot();
  const send = (text: string) => {
    fw.receive(new TextEncoder().encode(text));
    for (let i = 0; i < 50; i++) fw.service();
  };
  return { fw, send, out: () => out, clear: () => (out = '') };
}

function framed(n: number, cmd: string) {
  const body = `N${n} ${cmd}`;
  let cs = 0;
  for (const c of body) cs ^= c.charCodeAt(0);
  return `${body}*${cs}\n`;
}

describe('virtual Marlin', () => {
  it('has one profile per reference printer with Table 2 volumes and features', () => {
    expect(Object.keys(printerProfiles).sort()).toEqual(['bluemaker-bm10-450', 'jgaurora-z-603s', 'shdm-3ddtp-500']);
    expect(printerProfiles['shdm-3ddtp-500'].volume).toEqual({ x: 500, y: 500, z: 600 });
    expect(printerProfiles['jgaurora-z-603s'].features).toMatchObject({ led: true, heatedBed: true, fan: true, printSpeed: true });
    expect(printerProfiles['bluemaker-bm10-450'].features).toMatchObject({ extruders: 2, heatedBed: true, fan: true, led: false });
    expect(() => getPrinterProfile('prusa')).toThrow(UnknownPrinterModelError);
  });

  it('answers line errors like Marlin: error, resend of lastN+1, ok', () => {
    const { send, out, clear } = firmware('shdm-3ddtp-500');
    send(framed(0, 'M110 N0'));
    clear();
    send('N1 G28*99\n');
    expect(out()).toBe('Error:checksum mismatch, Last Line: 0\nResend: 1\nok\n');
    clear();
    send(framed(2, 'G28'));
    expect(out()).toContain('Error:Line Number is not Last Line Number+1, Last Line: 0\nResend: 1\nok\n');
    clear();
    send(framed(1, 'G28'));
    expect(out()).toBe('ok\n');
  });

  it('only knows the controls its twin has', () => {
    const shdm = firmware('shdm-3ddtp-500');
    shdm.send('M150 R255\nM140 S60\nT1\n');
    expect(shdm.out()).toContain('Unknown command: "M150 R255"');
    expect(shdm.out()).toContain('Unknown command: "M140 S60"');
    expect(shdm.out()).toContain('T1 Invalid extruder');
    const bm = firmware('bluemaker-bm10-450');
    bm.send('T1\nM104 T1 S200\nM105\n');
    expect(bm.out()).toContain('Active Extruder: 1');
    expect(bm.fw.snapshot().hotends[1]!.target).toBe(200);
    expect(bm.out()).toMatch(/ok T:[\d.]+ \/200\.00 B:[\d.]+ \/0\.00 T0:[\d.]+ \/0\.00 T1:[\d.]+ \/200\.00/);
  });

  it('heats along a first-order curve and M109 waits in simulated time', () => {
    const { fw, send, out } = firmware('jgaurora-z-603s');
    send('M109 S210\n');
    const s = fw.snapshot();
    expect(s.hotends[0]!.temperature).toBeGreaterThanOrEqual(209);
    expect(s.simTime).toBeGreaterThan(20); // the wait took simulated time, not wall time
    expect(out()).toMatch(/T:2\d\d\.\d\d \/210\.00[\s\S]*ok\n$/);
    const h = new Heater(printerProfiles['jgaurora-z-603s'].hotend);
    h.setTarget(200, 0);
    expect(h.temperature(5)).toBeLessThan(h.temperature(10));
    expect(h.temperature(1000)).toBe(200);
  });

  it('loses bytes that do not fit the RX ring and keeps at most rxBufferSize-1', () => {
    const { fw } = firmware('shdm-3ddtp-500');
    fw.receive(new Uint8Array(300).fill(65));
    expect(fw.rxPending).toBe(127);
    expect(fw.rxOverflows).toBe(173);
  });

  it('M112 halts at once and switches the heaters off', () => {
    const { fw, send, out } = firmware('jgaurora-z-603s');
    send('M104 S200\nM140 S60\n');
    fw.receive(new TextEncoder().encode('M112\n'));
    expect(out()).toContain('Error:Printer halted. kill() called!');
    const s = fw.snapshot();
    expect(s.halted).toBe(true);
    expect(s.hotends[0]!.target).toBe(0);
    expect(s.bed!.target).toBe(0);
  });

  it('times moves from feed rate and acceleration through a finite planner', () => {
    const { fw, send } = firmware('shdm-3ddtp-500');
    send('G1 X100 F6000\nM400\n');
    // Marlin's 0.1 s before a move from rest, then 100 mm at 100 mm/s with 800 mm/s² ramps from and to the 10 mm/s jerk.
    expect(fw.snapshot().simTime).toBeCloseTo(0.1 + trapezoidSeconds(100, 10, 10, 100, 800), 2);
    expect(trapezoidSeconds(100, 10, 10, 100, 800)).toBeCloseTo(0.225 + 87.625 / 100, 6);
  });

  it('accepts what slicers emit with the replies Marlin gives, and answers unknown commands without stalling', () => {
    const { fw, send: sendBytes, out, clear } = firmware('jgaurora-z-603s');
    // One line at a time, as a host does (the RX ring holds 127 bytes).
    const send = (text: string) =>
      text
        .split('\n')
        .filter(Boolean)
        .forEach((l) => sendBytes(l + '\n'));
    send(
      'M73 P12 R30\nM201 X1000 Y1000 Z200 E5000\nM203 X200 Y200 Z12 E120\nM204 P1250 R1250 T1250\nM205 X8.00 Y8.00 Z0.40 E4.50\nM900 K0.04\nM106 P1 S255\nM106 S128\nM221 S95\n',
    );
    expect(out()).not.toContain('Unknown');
    expect(fw.snapshot().fan).toBe(128);
    clear();
    send('M73\nM201\nM204\nM205\nM900\n');
    expect(out()).toContain('echo: M73 Progress: 12%; Time left: 30m;');
    expect(out()).toContain('echo:  M201 X1000 Y1000 Z200 E5000');
    expect(out()).toContain('echo:  M204 P1250 R1250 T1250');
    expect(out()).toContain('echo:  M205 S0 T0 X8 Y8 Z0.40 E4.50');
    expect(out()).toContain('echo:Advance K=0.04');
    clear();
    send('G80\nM862.3 P "MK3S"\nM862.1 Q\n');
    expect(out()).toContain('echo:Unknown command: "G80"\nok');
    expect(out()).toContain('G-code sliced for a different printer type (MK3S)');
    expect(out()).toContain('  M862.1 P0.40');
    clear();
    send('G29\n');
    expect(out()).toContain('echo:Home XYZ First');
    send('M420 S1\n');
    expect(out()).toContain('Error:Failed to enable Bed Leveling');
    clear();
    send('G28\nG29\nM420 S1\n');
    expect(out()).toContain('Bilinear Leveling Grid:');
    expect(out()).toContain('echo:Bed Leveling ON');
    // A G2 half circle ends where it should and takes the arc's length, not the chord's.
    send('G90\nG1 X100 Y100 F6000\nM400\n');
    const t0 = fw.snapshot().simTime;
    send('G2 X120 Y100 I10 J0 F600\nM400\n');
    const arcTime = fw.snapshot().simTime - t0;
    expect(fw.snapshot().target).toMatchObject({ x: 120, y: 100 });
    expect(arcTime).toBeGreaterThan((Math.PI * 10) / 10);
    // M600 parks, asks for filament, and goes on after M108 (or the owner's reload time when skipping waits).
    clear();
    send('M600\nG1 X130\n');
    expect(out()).toContain('echo:Insert filament and send M108');
    expect(fw.snapshot().target.x).toBe(130);
  });

  it('emits ADVANCED_OK when its profile says so', () => {
    const bm = firmware('bluemaker-bm10-450');
    bm.send(framed(1, 'G28'));
    expect(bm.out()).toMatch(/ok N1 P\d+ B\d+\n/);
    const sh = firmware('shdm-3ddtp-500');
    sh.send(framed(1, 'G28'));
    expect(sh.out()).toMatch(/\nok\n$/);
  });
});
