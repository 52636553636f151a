import type { MotionLimits } from './planner';

/** A heater as the estimate needs it (the simulator's thermal model satisfies this). */
export interface HeaterModel {
  readonly target: number;
  setTarget(target: number, now: number): void;
  temperature(now: number): number;
  /** Seconds from `now` until the heater reaches `target` (Infinity if it never does). */
  secondsUntil(target: number, now: number): number;
}

/** What the G-code analysis needs to know about the printer it is meant for. */
export interface MachineModel {
  volume: { x: number; y: number; z: number };
  limits: MotionLimits;
  /** Homing feed rate, mm/s. */
  homingFeedrate: number;
  /** Planner look-ahead, blocks (Marlin BLOCK_BUFFER_SIZE). */
  plannerSize: number;
  /** Fresh heaters for one analysis. */
  hotends: HeaterModel[];
  bed: HeaterModel | undefined;
  maxHotend: number;
  maxBed: number;
  /** Whether the printer's firmware knows a command word ('G1', 'M862.3'). */
  knows(word: string): boolean;
}
