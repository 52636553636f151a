// Motion timing shared by the virtual firmware and the host's estimator: every move is a trapezoid (or triangle)
// that starts and ends at rest. Real planners blend junctions and are a little faster; using the same rule on both
// sides keeps "estimate vs actual" about the protocol and waits, not about two different motion models.

export interface Vec4 {
  x: number;
  y: number;
  z: number;
  e: number;
}

/** Seconds to travel `distance` mm at up to `speed` mm/s with acceleration `accel` mm/s², from rest to rest. */
export function moveSeconds(distance: number, speed: number, accel: number): number {
  if (distance <= 0 || speed <= 0) return 0;
  const rampDistance = (speed * speed) / accel;
  if (distance >= rampDistance) return distance / speed + speed / accel;
  return 2 * Math.sqrt(distance / accel);
}

export interface MoveLimits {
  maxFeedrate: { x: number; y: number; z: number; e: number };
  acceleration: number;
}

/**
 * Duration of a linear move from `a` to `b` at feed rate `feedMmPerMin` (scaled by the speed override in percent),
 * with each axis held to its own max feed rate.
 */
export function linearMoveSeconds(a: Vec4, b: Vec4, feedMmPerMin: number, limits: MoveLimits, speedPercent = 100): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const dz = b.z - a.z;
  const de = b.e - a.e;
  const xyz = Math.hypot(dx, dy, dz);
  const distance = xyz > 0 ? xyz : Math.abs(de);
  if (distance === 0) return 0;
  let speed = (feedMmPerMin / 60) * (speedPercent / 100);
  // Scale down so that no axis exceeds its limit.
  const axes: [number, number][] = [
    [Math.abs(dx), limits.maxFeedrate.x],
    [Math.abs(dy), limits.maxFeedrate.y],
    [Math.abs(dz), limits.maxFeedrate.z],
    [Math.abs(de), limits.maxFeedrate.e],
  ];
  for (const [d, max] of axes) {
    if (d > 0) speed = Math.min(speed, (max * distance) / d);
  }
  return moveSeconds(distance, Math.max(speed, 0.1), limits.acceleration);
}
