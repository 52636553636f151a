// Which controls a printer's twin has (Table 2) and the G-code behind each. A control the twin lacks is not shown,
// and asking for it anyway is an error rather than a silently ignored command.

import type { PrinterProfile } from '../machines/index';
import { InvalidControlValueError, UnsupportedControlError } from './errors';

export interface ControlSet {
  jog: boolean;
  home: boolean;
  /** Number of hotends (T0, T1). */
  hotends: number;
  heatedBed: boolean;
  fan: boolean;
  led: boolean;
  printSpeed: boolean;
  flow: boolean;
  toolSelect: boolean;
  console: boolean;
}

export function controlsFor(profile: PrinterProfile): ControlSet {
  const f = profile.features;
  return {
    jog: true,
    home: true,
    hotends: f.extruders,
    heatedBed: f.heatedBed,
    fan: f.fan,
    led: f.led,
    printSpeed: f.printSpeed,
    flow: f.printSpeed,
    toolSelect: f.extruders > 1,
    console: true,
  };
}

function need(ok: boolean, control: string, profile: PrinterProfile): void {
  if (!ok) throw new UnsupportedControlError(control, profile.name);
}

function inRange(control: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new InvalidControlValueError(control, value, `between ${min} and ${max}`);
  return value;
}

/** G-code for each control, checked against the twin. */
export const gcodeFor = {
  home(_p: PrinterProfile, axes: ('X' | 'Y' | 'Z')[] = []): string[] {
    return [axes.length ? `G28 ${axes.join(' ')}` : 'G28'];
  },
  jog(p: PrinterProfile, axis: 'X' | 'Y' | 'Z' | 'E', distance: number, feed?: number): string[] {
    inRange('jog distance', distance, -1000, 1000);
    const f = feed ?? (axis === 'Z' ? p.maxFeedrate.z * 60 : axis === 'E' ? 300 : Math.min(p.maxFeedrate.x, p.speed.max) * 60);
    return ['G91', `G1 ${axis}${distance} F${Math.round(f)}`, 'G90'];
  },
  hotend(p: PrinterProfile, celsius: number, index = 0): string[] {
    need(index < p.features.extruders, `hotend T${index}`, p);
    inRange('hotend temperature', celsius, 0, p.hotend.maxTarget);
    return [`M104 T${index} S${Math.round(celsius)}`];
  },
  bed(p: PrinterProfile, celsius: number): string[] {
    need(p.features.heatedBed, 'heated bed', p);
    inRange('bed temperature', celsius, 0, p.bed.maxTarget);
    return [`M140 S${Math.round(celsius)}`];
  },
  fan(p: PrinterProfile, percent: number): string[] {
    need(p.features.fan, 'fan control', p);
    inRange('fan speed', percent, 0, 100);
    return percent === 0 ? ['M107'] : [`M106 S${Math.round((percent / 100) * 255)}`];
  },
  led(p: PrinterProfile, r: number, g: number, b: number): string[] {
    need(p.features.led, 'LED light', p);
    for (const [n, v] of [
      ['red', r],
      ['green', g],
      ['blue', b],
    ] as const)
      inRange(`LED ${n}`, v, 0, 255);
    return [`M150 R${r} U${g} B${b}`];
  },
  speed(p: PrinterProfile, percent: number): string[] {
    need(p.features.printSpeed, 'print speed control', p);
    return [`M220 S${Math.round(inRange('print speed', percent, 10, 500))}`];
  },
  flow(p: PrinterProfile, percent: number): string[] {
    need(p.features.printSpeed, 'flow control', p);
    return [`M221 S${Math.round(inRange('flow', percent, 10, 500))}`];
  },
  tool(p: PrinterProfile, index: number): string[] {
    need(p.features.extruders > 1 && index < p.features.extruders, `nozzle T${index}`, p);
    return [`T${index}`];
  },
};
