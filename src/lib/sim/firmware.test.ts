import { describe, expect, it } from 'vitest';
import { VirtualMarlin, getPrinterProfile, Heater, printerProfiles, UnknownPrinterModelError } from './index';

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
    // 100 mm at 100 mm/s with 800 mm/s² ramps: 100/100 + 100/800 = 1.125 s.
    expect(fw.snapshot().simTime).toBeCloseTo(1.125, 2);
  });
});
