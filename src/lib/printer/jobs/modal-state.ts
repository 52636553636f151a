// The machine state a G-code stream leaves behind (position, extrusion, modes, heater targets, fan, tool), followed
// command by command. The journal records it at the last executed line; resuming restores it at a layer's first line.
// Only what a resume must restore is followed; timing and geometry belong to the G-code analysis.

export interface ModalSnapshot {
  x: number;
  y: number;
  z: number;
  e: number;
  /** Feed rate, mm/min. */
  feed: number;
  /** G91: XYZ moves are relative. */
  relative: boolean;
  /** M83: E is relative. */
  relativeE: boolean;
  /** Target per hotend, °C. */
  hotends: number[];
  bed: number;
  /** Part-cooling fan, 0–255. */
  fan: number;
  tool: number;
}

const word = /([A-Z])\s*(-?\d*\.?\d+)/g;

function args(rest: string): Record<string, number> {
  const out: Record<string, number> = {};
  word.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = word.exec(rest))) out[m[1]!] = Number(m[2]);
  return out;
}

export class ModalState {
  private s: ModalSnapshot;

  constructor(extruders = 1, initial?: Partial<ModalSnapshot>) {
    this.s = {
      x: 0,
      y: 0,
      z: 0,
      e: 0,
      feed: 1500,
      relative: false,
      relativeE: false,
      hotends: Array.from({ length: Math.max(1, extruders) }, () => 0),
      bed: 0,
      fan: 0,
      tool: 0,
      ...initial,
    };
  }

  snapshot(): ModalSnapshot {
    return { ...this.s, hotends: [...this.s.hotends] };
  }

  /** Follow one command (comments already stripped; case does not matter). */
  apply(command: string): void {
    const upper = command.trim().toUpperCase();
    const m = /^([GMT])(\d+)(?:\.\d+)?(.*)$/.exec(upper);
    if (!m) return;
    const code = Number(m[2]);
    const a = args(m[3] ?? '');
    const s = this.s;
    if (m[1] === 'T') {
      if (code < s.hotends.length) s.tool = code;
      return;
    }
    if (m[1] === 'G') {
      switch (code) {
        case 0:
        case 1:
        case 2:
        case 3:
          if (a.F !== undefined && a.F > 0) s.feed = a.F;
          for (const axis of ['x', 'y', 'z'] as const) {
            const v = a[axis.toUpperCase()];
            if (v !== undefined) s[axis] = s.relative ? s[axis] + v : v;
          }
          if (a.E !== undefined) s.e = s.relativeE ? s.e + a.E : a.E;
          return;
        case 28: {
          const all = a.X === undefined && a.Y === undefined && a.Z === undefined;
          if (all || a.X !== undefined) s.x = 0;
          if (all || a.Y !== undefined) s.y = 0;
          if (all || a.Z !== undefined) s.z = 0;
          return;
        }
        case 90:
          s.relative = s.relativeE = false;
          return;
        case 91:
          s.relative = s.relativeE = true;
          return;
        case 92:
          for (const axis of ['x', 'y', 'z', 'e'] as const) {
            const v = a[axis.toUpperCase()];
            if (v !== undefined) s[axis] = v;
          }
          return;
      }
      return;
    }
    switch (code) {
      case 82:
        s.relativeE = false;
        return;
      case 83:
        s.relativeE = true;
        return;
      case 104:
      case 109: {
        const t = a.T ?? s.tool;
        const v = a.S ?? a.R;
        if (v !== undefined && t < s.hotends.length) s.hotends[t] = v;
        return;
      }
      case 140:
      case 190: {
        const v = a.S ?? a.R;
        if (v !== undefined) s.bed = v;
        return;
      }
      case 106:
        // M106 P<n> drives other fans; only the part-cooling fan (P0) matters for a resume.
        if ((a.P ?? 0) === 0) s.fan = Math.max(0, Math.min(255, a.S ?? 255));
        return;
      case 107:
        if ((a.P ?? 0) === 0) s.fan = 0;
        return;
    }
  }
}
