// The three reference printers of the paper's Table 2, as the virtual firmware sees them. Volumes, speeds, layer and
// nozzle ranges come from the table; accelerations, thermal constants and buffer sizes are Marlin defaults typical of
// such machines (the table does not give them).

import type { MotionLimits } from '../gcode/index';
import { UnknownPrinterModelError } from './errors';

export type PrinterModelId = 'shdm-3ddtp-500' | 'jgaurora-z-603s' | 'bluemaker-bm10-450';

/** Optional hardware that decides which controls a twin shows (Table 2, "Additional features"). */
interface PrinterFeatures {
  /** M150 LED colour. */
  led: boolean;
  /** M140/M190 heated bed. */
  heatedBed: boolean;
  /** M106/M107 part-cooling fan. */
  fan: boolean;
  /** M220 feed-rate and M221 flow overrides. */
  printSpeed: boolean;
  /** Number of hotends (T0/T1 when 2). */
  extruders: 1 | 2;
}

export interface HeaterSpec {
  /** Temperature the heater would settle at on full power, °C. */
  maxReachable: number;
  /** First-order time constant, seconds. */
  tau: number;
  /** Highest target the firmware accepts, °C. */
  maxTarget: number;
}

export interface PrinterProfile {
  id: PrinterModelId;
  name: string;
  /** Build volume in mm. */
  volume: { x: number; y: number; z: number };
  /** Printing speed range from Table 2, mm/s. */
  speed: { min: number; max: number };
  layerHeight: { min: number; max: number };
  nozzleDiameter: { min: number; max: number };
  features: PrinterFeatures;
  /** Max travel feed rate per axis, mm/s (Marlin DEFAULT_MAX_FEEDRATE). */
  maxFeedrate: { x: number; y: number; z: number; e: number };
  /** Print acceleration, mm/s² (Marlin DEFAULT_ACCELERATION). */
  acceleration: number;
  /** Homing feed rate, mm/s. */
  homingFeedrate: number;
  hotend: HeaterSpec;
  bed: HeaterSpec;
  /** Marlin RX_BUFFER_SIZE, bytes. */
  rxBufferSize: number;
  /** Marlin BUFSIZE, commands. */
  commandQueueSize: number;
  /** Marlin BLOCK_BUFFER_SIZE, planner blocks. */
  plannerSize: number;
  /** Marlin MAX_CMD_SIZE, bytes per line. */
  maxCommandSize: number;
  /** The baud rate the firmware was built with. */
  baud: number;
  /** Marlin ADVANCED_OK: `ok N<line> P<planner free> B<queue free>` instead of a bare `ok`. */
  advancedOk: boolean;
  /** A bed probe: G29 probes a grid, M420 turns the mesh on (AUTO_BED_LEVELING_BILINEAR). */
  probe: boolean;
}

const marlinDefaults = {
  rxBufferSize: 128,
  commandQueueSize: 4,
  plannerSize: 16,
  maxCommandSize: 96,
  hotend: { maxReachable: 320, tau: 45, maxTarget: 275 },
} as const;

export const printerProfiles: Record<PrinterModelId, PrinterProfile> = {
  'shdm-3ddtp-500': {
    id: 'shdm-3ddtp-500',
    name: 'SHDM 3DDTP-500',
    volume: { x: 500, y: 500, z: 600 },
    speed: { min: 60, max: 120 },
    layerHeight: { min: 0.05, max: 0.4 },
    nozzleDiameter: { min: 0.4, max: 0.8 },
    features: { led: false, heatedBed: false, fan: false, printSpeed: false, extruders: 1 },
    maxFeedrate: { x: 120, y: 120, z: 10, e: 40 },
    acceleration: 800,
    homingFeedrate: 50,
    bed: { maxReachable: 25, tau: 1, maxTarget: 0 },
    baud: 115200,
    advancedOk: false,
    probe: false,
    ...marlinDefaults,
  },
  'jgaurora-z-603s': {
    id: 'jgaurora-z-603s',
    name: 'JGAurora Z-603S',
    volume: { x: 280, y: 180, z: 180 },
    speed: { min: 10, max: 300 },
    layerHeight: { min: 0.1, max: 0.3 },
    nozzleDiameter: { min: 0.4, max: 0.4 },
    features: { led: true, heatedBed: true, fan: true, printSpeed: true, extruders: 1 },
    maxFeedrate: { x: 300, y: 300, z: 12, e: 50 },
    acceleration: 1500,
    homingFeedrate: 60,
    bed: { maxReachable: 130, tau: 120, maxTarget: 110 },
    baud: 115200,
    advancedOk: false,
    probe: true,
    ...marlinDefaults,
  },
  'bluemaker-bm10-450': {
    id: 'bluemaker-bm10-450',
    name: 'BlueMaker BM10-450',
    volume: { x: 300, y: 350, z: 450 },
    speed: { min: 30, max: 400 },
    layerHeight: { min: 0.02, max: 0.4 },
    nozzleDiameter: { min: 0.1, max: 1.0 },
    features: { led: false, heatedBed: true, fan: true, printSpeed: false, extruders: 2 },
    maxFeedrate: { x: 400, y: 400, z: 15, e: 60 },
    acceleration: 2500,
    homingFeedrate: 80,
    bed: { maxReachable: 140, tau: 150, maxTarget: 120 },
    baud: 250000,
    advancedOk: true,
    probe: true,
    ...marlinDefaults,
  },
};

export const printerModelIds = Object.keys(printerProfiles) as PrinterModelId[];

export function getPrinterProfile(model: string): PrinterProfile {
  const profile = (printerProfiles as Record<string, PrinterProfile | undefined>)[model];
  if (!profile) throw new UnknownPrinterModelError(model, printerModelIds);
  return profile;
}

/** The planner limits the firmware boots with: the profile's feed rates and acceleration, Marlin's other defaults. */
export function motionLimitsOf(p: PrinterProfile): MotionLimits {
  return {
    maxFeedrate: { ...p.maxFeedrate },
    maxAcceleration: { x: 3000, y: 3000, z: 100, e: 10000 },
    printAcceleration: p.acceleration,
    retractAcceleration: 3000,
    travelAcceleration: p.acceleration,
    jerk: { x: 10, y: 10, z: 0.3, e: 5 },
    minFeedrate: 0,
    minTravelFeedrate: 0,
  };
}
