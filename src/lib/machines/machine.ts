// A reference printer described for the G-code analysis: its volume, planner limits, heaters (the simulator's thermal
// model) and the commands its firmware knows — the same answers the simulated firmware gives.

import type { MachineModel } from '../gcode/index';
import { motionLimitsOf, type PrinterProfile } from './profiles';
import { Heater } from './thermal';

const ALWAYS = new Set([
  'G0',
  'G1',
  'G2',
  'G3',
  'G4',
  'G20',
  'G21',
  'G28',
  'G90',
  'G91',
  'G92',
  'M17',
  'M18',
  'M73',
  'M82',
  'M83',
  'M84',
  'M104',
  'M105',
  'M108',
  'M109',
  'M110',
  'M111',
  'M112',
  'M114',
  'M115',
  'M117',
  'M154',
  'M155',
  'M201',
  'M203',
  'M204',
  'M205',
  'M300',
  'M400',
  'M600',
  'M900',
  'M999',
  'M862.1',
  'M862.2',
  'M862.3',
  'M862.4',
  'M862.5',
  'M862.6',
]);

/** Whether the simulated firmware of `profile` knows the command word (anything else gets `echo:Unknown command`). */
export function knowsCommand(profile: PrinterProfile, word: string): boolean {
  if (ALWAYS.has(word)) return true;
  const f = profile.features;
  switch (word) {
    case 'M140':
    case 'M190':
      return f.heatedBed;
    case 'M106':
    case 'M107':
      return f.fan;
    case 'M150':
      return f.led;
    case 'M220':
    case 'M221':
      return f.printSpeed;
    case 'G29':
    case 'M420':
      return profile.probe;
  }
  // Tool changes are known; an absent tool is answered "Invalid extruder".
  return /^T\d+$/.test(word);
}

/** The profile as the G-code analysis needs it, with fresh heaters. */
export function machineOf(profile: PrinterProfile): MachineModel {
  return {
    volume: profile.volume,
    limits: motionLimitsOf(profile),
    homingFeedrate: profile.homingFeedrate,
    plannerSize: profile.plannerSize,
    hotends: Array.from({ length: profile.features.extruders }, () => new Heater(profile.hotend)),
    bed: profile.features.heatedBed ? new Heater(profile.bed) : undefined,
    maxHotend: profile.hotend.maxTarget,
    maxBed: profile.bed.maxTarget,
    knows: (word) => knowsCommand(profile, word),
  };
}
