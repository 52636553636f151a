import { describe, expect, it } from 'vitest';
import { getPrinterProfile } from '../machines/index';
import {
  InvalidControlValueError,
  UnsupportedControlError,
  controlsFor,
  frameLine,
  gcodeFor,
  parseFirmwareLine,
  readLines,
  stripComment,
  textSource,
} from './index';

describe('G-code lines and firmware replies', () => {
  it('splits streamed bytes into lines without loading the whole text at once', async () => {
    const text = 'G28 ; home\r\n\n(comment) G1 X1\nM105';
    const lines = [];
    for await (const l of readLines(textSource(text))) lines.push(l);
    expect(lines.map((l) => stripComment(l.text))).toEqual(['G28', '', 'G1 X1', 'M105']);
    expect(lines[3]!.endOffset).toBe(text.length);
  });
});

describe('framing and responses', () => {
  it('frames lines with Marlin checksums', () => {
    expect(frameLine(0, 'M110 N0')).toBe('N0 M110 N0*125\n');
  });

  it('parses what Marlin sends', () => {
    expect(parseFirmwareLine('ok N12 P15 B3')).toEqual({ kind: 'ok', n: 12, plannerFree: 15, queueFree: 3 });
    expect(parseFirmwareLine('Resend: 42')).toEqual({ kind: 'resend', line: 42 });
    expect(parseFirmwareLine('Resend: 4\u00ff2').kind).toBe('other');
    expect(parseFirmwareLine('Error:checksum mismatch, Last Line: 41')).toMatchObject({ kind: 'error', lineError: 'checksum', fatal: false });
    expect(parseFirmwareLine('Error:Printer halted. kill() called!')).toMatchObject({ kind: 'error', fatal: true });
    expect(parseFirmwareLine('echo:busy: processing').kind).toBe('busy');
    const t = parseFirmwareLine(' T:200.00 /210.00 B:60.00 /60.00 T0:200.00 /210.00 T1:25.00 /0.00 @:127 B@:0');
    expect(t).toMatchObject({
      kind: 'temperature',
      temperatures: {
        hotends: [
          { temperature: 200, target: 210 },
          { temperature: 25, target: 0 },
        ],
        bed: { temperature: 60, target: 60 },
      },
    });
    expect(parseFirmwareLine('X:10.00 Y:20.00 Z:0.20 E:1.00 Count X:0 Y:0 Z:0')).toEqual({ kind: 'position', position: { x: 10, y: 20, z: 0.2, e: 1 } });
  });
});

describe('controls per twin (Table 2)', () => {
  it('offers only what each printer has', () => {
    expect(controlsFor(getPrinterProfile('shdm-3ddtp-500'))).toMatchObject({ heatedBed: false, fan: false, led: false, printSpeed: false, hotends: 1 });
    expect(controlsFor(getPrinterProfile('jgaurora-z-603s'))).toMatchObject({ heatedBed: true, fan: true, led: true, printSpeed: true });
    expect(controlsFor(getPrinterProfile('bluemaker-bm10-450'))).toMatchObject({ heatedBed: true, fan: true, led: false, toolSelect: true, hotends: 2 });
    expect(() => gcodeFor.led(getPrinterProfile('shdm-3ddtp-500'), 1, 2, 3)).toThrow(UnsupportedControlError);
    expect(() => gcodeFor.hotend(getPrinterProfile('jgaurora-z-603s'), 400)).toThrow(InvalidControlValueError);
    expect(gcodeFor.fan(getPrinterProfile('jgaurora-z-603s'), 50)).toEqual(['M106 S128']);
    expect(gcodeFor.tool(getPrinterProfile('bluemaker-bm10-450'), 1)).toEqual(['T1']);
  });
});
