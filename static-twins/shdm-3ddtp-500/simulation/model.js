// Model: a G-code estimator. Time per move follows a trapezoidal velocity profile under the machine's acceleration
// and per-axis feed-rate limits (moves are treated as starting and ending at rest, which errs on the slow side);
// filament is the extruded E length, in absolute (M82) or relative (M83) mode, honouring G92 resets.
const FILAMENT_DIAMETER = 1.75; // mm
const DENSITY = 1.24; // g/cm³ (PLA)
const moveTime = (dist, v, a) => {
  if (dist <= 0 || v <= 0) return 0;
  const dAccel = (v * v) / a; // accelerate and decelerate
  return dist >= dAccel ? dist / v + v / a : 2 * Math.sqrt(dist / a);
};
exports.estimate = (gcode, spec) => {
  const pos = { x: 0, y: 0, z: 0, e: 0 };
  let absolute = true;
  let absE = true;
  let feed = spec.printSpeed.max; // mm/s
  let seconds = 0;
  let filament = 0;
  let moves = 0;
  let dwell = 0;
  const layers = new Set();
  const min = { x: Infinity, y: Infinity, z: Infinity };
  const max = { x: -Infinity, y: -Infinity, z: -Infinity };
  const lines = String(gcode).split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.replace(/;.*$/, '').trim().toUpperCase();
    if (!line) continue;
    const words = {};
    line.split(/\s+/).slice(1).forEach((w) => { words[w.charAt(0)] = Number(w.slice(1)); });
    const cmd = line.split(/\s+/)[0];
    if (cmd === 'G90') { absolute = true; absE = true; }
    else if (cmd === 'G91') { absolute = false; absE = false; }
    else if (cmd === 'M82') absE = true;
    else if (cmd === 'M83') absE = false;
    else if (cmd === 'G92') { ['x', 'y', 'z', 'e'].forEach((k) => { if (words[k.toUpperCase()] !== undefined) pos[k] = words[k.toUpperCase()]; }); }
    else if (cmd === 'G4') dwell += (words.P || 0) / 1000 + (words.S || 0);
    else if (cmd === 'G28') { pos.x = 0; pos.y = 0; pos.z = 0; seconds += (spec.buildVolume.x + spec.buildVolume.y) / Math.max(1, spec.homingFeedrate) / 2; }
    else if (cmd === 'G0' || cmd === 'G1') {
      if (words.F !== undefined && words.F > 0) feed = words.F / 60;
      const next = { x: pos.x, y: pos.y, z: pos.z, e: pos.e };
      ['x', 'y', 'z'].forEach((k) => { const v = words[k.toUpperCase()]; if (v !== undefined) next[k] = absolute ? v : pos[k] + v; });
      if (words.E !== undefined) next.e = absE ? words.E : pos.e + words.E;
      const d = { x: next.x - pos.x, y: next.y - pos.y, z: next.z - pos.z, e: next.e - pos.e };
      const xyz = Math.sqrt(d.x * d.x + d.y * d.y + d.z * d.z);
      const dist = xyz > 0 ? xyz : Math.abs(d.e);
      // The commanded feed, capped so that no axis exceeds its own maximum.
      let v = feed;
      ['x', 'y', 'z', 'e'].forEach((k) => { const share = Math.abs(d[k]) / (dist || 1); if (share > 0) v = Math.min(v, spec.maxFeedrate[k] / share); });
      seconds += moveTime(dist, v, spec.acceleration);
      if (d.e > 0) {
        filament += d.e;
        if (xyz > 0) {
          layers.add(next.z.toFixed(3));
          ['x', 'y', 'z'].forEach((k) => { min[k] = Math.min(min[k], pos[k], next[k]); max[k] = Math.max(max[k], pos[k], next[k]); });
        }
      }
      pos.x = next.x; pos.y = next.y; pos.z = next.z; pos.e = next.e;
      moves++;
    }
  }
  const area = Math.PI * Math.pow(FILAMENT_DIAMETER / 2, 2);
  const size = isFinite(min.x) ? { x: +(max.x - min.x).toFixed(2), y: +(max.y - min.y).toFixed(2), z: +max.z.toFixed(2) } : { x: 0, y: 0, z: 0 };
  return {
    seconds: +(seconds + dwell).toFixed(1),
    filamentMm: +filament.toFixed(1),
    filamentGrams: +((filament * area) / 1000 * DENSITY).toFixed(2),
    moves: moves,
    layers: layers.size,
    size: size,
  };
};
