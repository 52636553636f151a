// First-order thermal model of a heater: full power until the target is reached, then held there; off means an
// exponential fall to ambient. Closed forms let simulated time jump ahead (M109/M190 waits) without stepping.

import type { HeaterSpec } from './profiles';

const AMBIENT_C = 22;

export class Heater {
  /** Temperature at `since` (simulated seconds). */
  private base: number;
  private since = 0;
  target = 0;

  constructor(
    readonly spec: HeaterSpec,
    now = 0,
  ) {
    this.base = AMBIENT_C;
    this.since = now;
  }

  /** Temperature at simulated time t (seconds). */
  temperature(t: number): number {
    const dt = Math.max(0, t - this.since);
    const { tau, maxReachable } = this.spec;
    if (this.target > this.base) {
      const reach = this.timeToReach(this.target);
      if (dt >= reach) return this.target;
      return maxReachable - (maxReachable - this.base) * Math.exp(-dt / tau);
    }
    // Cooling towards max(target, ambient) without power, then held at the target.
    const floor = Math.max(this.target, AMBIENT_C);
    const cooled = AMBIENT_C + (this.base - AMBIENT_C) * Math.exp(-dt / tau);
    return Math.max(floor, cooled);
  }

  /** Heater power 0..127 at time t, as Marlin's @: field. */
  power(t: number): number {
    if (this.target <= 0) return 0;
    const temp = this.temperature(t);
    if (temp < this.target - 0.5) return 127;
    // Holding power balances losses to ambient.
    const hold = (this.target - AMBIENT_C) / (this.spec.maxReachable - AMBIENT_C);
    return Math.round(127 * Math.min(1, Math.max(0, hold)));
  }

  setTarget(target: number, t: number): void {
    this.base = this.temperature(t);
    this.since = t;
    this.target = target;
  }

  /** Seconds from the current state until the temperature is within 1 °C of `value` (Infinity if unreachable). */
  secondsUntil(value: number, t: number): number {
    const now = this.temperature(t);
    if (Math.abs(now - value) <= 1) return 0;
    const { tau, maxReachable } = this.spec;
    if (value > now) {
      if (this.target < value - 1 || value >= maxReachable) return Infinity;
      return tau * Math.log((maxReachable - now) / (maxReachable - (value - 1)));
    }
    if (value + 1 <= AMBIENT_C) return Infinity;
    return tau * Math.log((now - AMBIENT_C) / (value + 1 - AMBIENT_C));
  }

  private timeToReach(value: number): number {
    const { tau, maxReachable } = this.spec;
    if (value >= maxReachable) return Infinity;
    return tau * Math.log((maxReachable - this.base) / (maxReachable - value));
  }
}
