// The machine's operating envelope and the G-code guard that holds every printer command inside it. The envelope is
// what the twin's formalization context states in its granule.json (environment.envelope): it is read by the host
// without running granule code, and α covers it. The guard is host code: no granule can reach or change its state.
//
// Policy, fail-closed: a command is allowed only if it is on the list below and its parameters are inside the
// envelope — temperatures up to the stated maxima, positions inside the build volume (relative moves only once the
// axis position is known, i.e. after G28 or an absolute move), feed rates up to the fastest axis, tools that exist.
// Anything else (EEPROM writes, firmware updates, endstop or cold-extrusion overrides, G92 on an axis…) is refused.
import type { RuntimeGranule } from './runtime';

export interface MachineEnvelope {
  /** Highest hotend target, °C. */
  hotendMax: number;
  /** Highest bed target, °C (0: no heated bed). */
  bedMax: number;
  /** Build volume, mm, from the origin (0, 0, 0). */
  buildVolume: { x: number; y: number; z: number };
  /** Highest feed rate per axis, mm/s. */
  maxFeedrate: { x: number; y: number; z: number; e: number };
  /** Number of hotends (tools T0…). */
  extruders: number;
  /** Highest print speed factor (M220), %. */
  speedPercentMax?: number;
  /** Highest flow factor (M221), %. */
  flowPercentMax?: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Checks an `environment.envelope` object; returns it typed, or the reason it is not usable. */
export function parseEnvelope(value: unknown): { envelope: MachineEnvelope } | { problem: string } {
  if (value === null || typeof value !== 'object') return { problem: 'it states no operating envelope (environment.envelope)' };
  const e = value as Record<string, unknown>;
  const vol = e.buildVolume as Record<string, unknown> | undefined;
  const feed = e.maxFeedrate as Record<string, unknown> | undefined;
  if (!isNum(e.hotendMax) || !isNum(e.bedMax)) return { problem: 'its envelope needs hotendMax and bedMax in °C' };
  if (!vol || !isNum(vol.x) || !isNum(vol.y) || !isNum(vol.z)) return { problem: 'its envelope needs buildVolume { x, y, z } in mm' };
  if (!feed || !isNum(feed.x) || !isNum(feed.y) || !isNum(feed.z) || !isNum(feed.e))
    return { problem: 'its envelope needs maxFeedrate { x, y, z, e } in mm/s' };
  if (!Number.isInteger(e.extruders) || (e.extruders as number) < 1) return { problem: 'its envelope needs extruders (1 or more)' };
  for (const k of ['speedPercentMax', 'flowPercentMax'] as const)
    if (e[k] !== undefined && !isNum(e[k])) return { problem: `its envelope's ${k} must be a number` };
  return {
    envelope: {
      hotendMax: e.hotendMax,
      bedMax: e.bedMax,
      buildVolume: { x: vol.x, y: vol.y, z: vol.z },
      maxFeedrate: { x: feed.x, y: feed.y, z: feed.z, e: feed.e },
      extruders: e.extruders as number,
      ...(e.speedPercentMax !== undefined ? { speedPercentMax: e.speedPercentMax as number } : {}),
      ...(e.flowPercentMax !== undefined ? { flowPercentMax: e.flowPercentMax as number } : {}),
    },
  };
}

/** The envelope the twin's formalization context states, or why there is none (the printer then takes queries only). */
export function twinEnvelope(granules: RuntimeGranule[]): { envelope: MachineEnvelope } | { problem: string } {
  const formalization = granules.find((g) => g.context === 'formalization');
  if (!formalization) return { problem: 'the twin has no formalization context to state the machine envelope' };
  const parsed = parseEnvelope(formalization.manifest.environment.envelope);
  return 'problem' in parsed ? { problem: `its formalization granule ${formalization.manifest.name}: ${parsed.problem}` } : parsed;
}

type Axis = 'x' | 'y' | 'z';
const AXES: Axis[] = ['x', 'y', 'z'];
// Commands with no effect on heat or motion beyond what the firmware already bounds: queries, modes, messages, fans,
// LEDs, steppers off, emergency stop, waits, acceleration and jerk settings, retraction, bed probing.
const NEUTRAL = new Set([
  'G4',
  'G10',
  'G11',
  'G21',
  'G29',
  'G90',
  'G91',
  'M17',
  'M18',
  'M27',
  'M31',
  'M73',
  'M82',
  'M83',
  'M84',
  'M105',
  'M107',
  'M108',
  'M110',
  'M112',
  'M114',
  'M115',
  'M117',
  'M118',
  'M119',
  'M150',
  'M155',
  'M201',
  'M204',
  'M205',
  'M300',
  'M400',
  'M410',
  'M420',
  'M900',
]);
// Commands whose argument is text, not parameters: messages, the firmware-version hint (M115 U3.13.0) and Prusa's
// M862.x checks (M862.3 P "MK3S"). They only report or compare; nothing in the text is executed.
const FREE_TEXT = new Set(['M115', 'M117', 'M118', 'M862.1', 'M862.2', 'M862.3', 'M862.4', 'M862.5', 'M862.6']);
// Of those, what a printer without a stated envelope still accepts: it can be asked, not moved or heated.
const QUERIES = new Set([
  'M27',
  'M31',
  'M105',
  'M110',
  'M112',
  'M114',
  'M115',
  'M117',
  'M118',
  'M119',
  'M155',
  'M400',
  'M410',
  'G90',
  'G91',
  'G21',
  'M82',
  'M83',
  'M73',
]);
const EPS = 1e-6;

interface Verdict {
  reason: string | null;
  apply: () => void;
}

/** Tracks the printer's coordinate mode and position, and decides for each G-code line whether it stays inside. */
export class GcodeGuard {
  private relative = false;
  private readonly position: Record<Axis, number | undefined> = { x: undefined, y: undefined, z: undefined };

  constructor(
    readonly envelope: MachineEnvelope | undefined,
    /** Why there is no envelope (shown when a motion or heat command is refused for want of one). */
    readonly missing = 'the twin states no machine envelope',
  ) {}

  /** Why `line` would be refused (null: allowed). Changes nothing. */
  refusal(line: string): string | null {
    return this.evaluate(line).reason;
  }

  /** Checks `line` and, when it is allowed, takes its effect on the tracked mode and position. */
  admit(line: string): string | null {
    const v = this.evaluate(line);
    if (v.reason === null) v.apply();
    return v.reason;
  }

  private evaluate(line: string): Verdict {
    const refuse = (reason: string): Verdict => ({ reason, apply: () => undefined });
    const ok = (apply: () => void = () => undefined): Verdict => ({ reason: null, apply });
    // One printable line: a newline or control character could smuggle a second command past the check.
    if (typeof line !== 'string' || line.length > 256 || /[^\x20-\x7e\u00a0-\uffff]/.test(line)) return refuse('it is not one G-code line');
    let text = line
      .split(';')[0]!
      .trim()
      .replace(/^N\d+\s*/i, '')
      .replace(/\*\d+$/, '')
      .trim();
    const head = /^([GMT])(\d+)(\.\d+)?/i.exec(text);
    if (!head) return refuse('it is not a G-code command');
    const word = `${head[1]!.toUpperCase()}${Number(head[2])}${head[3] ?? ''}`;
    text = text.slice(head[0].length);
    // Free-text messages carry no parameters.
    if (FREE_TEXT.has(word)) return this.envelope || QUERIES.has(word) ? ok() : refuse(`${this.missing}, so the printer only answers queries`);
    const params = new Map<string, number>();
    const re = /([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))?/gi;
    const rest = text.replace(/\s+/g, ' ').trim();
    let m: RegExpExecArray | null;
    let consumed = '';
    // A number run into an "E" ("X1e9") is read as an exponent by some firmware; a repeated letter ("X500 X10") by
    // some as the first, by others as the last. Both are refused rather than guessed.
    if (/\d[eE][-+]?\d/.test(rest)) return refuse(`"${word}" has a number followed by E (an exponent?): put a space between parameters`);
    while ((m = re.exec(rest))) {
      const value = m[2] === undefined ? NaN : Number(m[2]);
      const letter = m[1]!.toUpperCase();
      if (params.has(letter)) return refuse(`"${word}" gives ${letter} twice`);
      params.set(letter, value);
      consumed += m[0];
    }
    if (consumed.replace(/\s/g, '').length !== rest.replace(/\s/g, '').length) return refuse(`"${word}" has parameters that cannot be read`);

    if (word.startsWith('T')) return this.tool(Number(word.slice(1)), word);
    if (!this.envelope) return QUERIES.has(word) ? this.modes(word, ok) : refuse(`${this.missing}, so the printer only answers queries`);
    const e = this.envelope;
    if (NEUTRAL.has(word)) return this.modes(word, ok);

    switch (word) {
      case 'M104':
      case 'M109':
        return this.heat(params, e.hotendMax, 'the hotend', word) ?? this.toolParam(params) ?? ok();
      case 'M140':
      case 'M190':
        return this.heat(params, e.bedMax, 'the bed', word) ?? ok();
      case 'M106': {
        const s = params.get('S');
        if (s !== undefined && !(s >= 0 && s <= 255)) return refuse(`fan speed S${s} is outside 0–255`);
        return ok();
      }
      case 'M220':
      case 'M221': {
        const max = word === 'M220' ? (e.speedPercentMax ?? 100) : (e.flowPercentMax ?? 200);
        const s = params.get('S');
        if (s !== undefined && !(s >= 1 && s <= max)) return refuse(`${word === 'M220' ? 'print speed' : 'flow'} ${s} % is outside 1–${max} %`);
        return ok();
      }
      case 'M203':
        for (const [k, v] of params) {
          const axis = k.toLowerCase() as Axis | 'e';
          if (!(axis in e.maxFeedrate)) return refuse(`M203 sets an unknown axis ${k}`);
          if (!(v >= 0 && v <= e.maxFeedrate[axis]))
            return refuse(`a maximum feed rate of ${v} mm/s for ${k} is above the ${e.maxFeedrate[axis]} mm/s the envelope allows`);
        }
        return ok();
      case 'G92':
        for (const k of params.keys()) if (k !== 'E') return refuse('G92 may only reset the extruder (E): shifting X, Y or Z would move the build volume');
        return ok();
      case 'G28': {
        const listed = AXES.filter((a) => params.has(a.toUpperCase()));
        // W: PrusaSlicer's "home without mesh bed levelling"; Marlin ignores it.
        for (const k of params.keys()) if (!['X', 'Y', 'Z', 'O', 'R', 'W'].includes(k)) return refuse(`G28 has an unknown parameter ${k}`);
        const homed = listed.length ? listed : AXES;
        return ok(() => homed.forEach((a) => (this.position[a] = 0)));
      }
      case 'G0':
      case 'G1':
      case 'G2':
      case 'G3':
        return this.move(word, params);
      default:
        return refuse(`"${word}" is not among the commands a twin may send to the printer`);
    }
  }

  private modes(word: string, ok: (apply?: () => void) => Verdict): Verdict {
    if (word === 'G90') return ok(() => (this.relative = false));
    if (word === 'G91') return ok(() => (this.relative = true));
    if (word === 'M18' || word === 'M84') return ok(() => AXES.forEach((a) => (this.position[a] = undefined)));
    return ok();
  }

  private heat(params: Map<string, number>, max: number, what: string, word: string): Verdict | null {
    for (const k of ['S', 'R'])
      if (params.has(k)) {
        const t = params.get(k)!;
        if (!(t >= 0 && t <= max))
          return {
            reason: `${t} °C is ${Number.isNaN(t) ? 'not a temperature' : `above the ${max} °C ${what} may reach`} (${word}); the formalization context states that maximum`,
            apply: () => undefined,
          };
      }
    return null;
  }

  private toolParam(params: Map<string, number>): Verdict | null {
    const t = params.get('T');
    if (t === undefined) return null;
    const v = this.tool(t, `T${t}`);
    return v.reason ? v : null;
  }

  private tool(n: number, word: string): Verdict {
    const count = this.envelope?.extruders ?? 1;
    if (!Number.isInteger(n) || n < 0 || n >= count)
      return { reason: `tool ${word} does not exist (the printer has ${count} hotend${count === 1 ? '' : 's'})`, apply: () => undefined };
    return { reason: null, apply: () => undefined };
  }

  private move(word: string, params: Map<string, number>): Verdict {
    const e = this.envelope!;
    const refuse = (reason: string): Verdict => ({ reason, apply: () => undefined });
    for (const k of params.keys()) if (!['X', 'Y', 'Z', 'E', 'F', 'I', 'J', 'R', 'S', 'P'].includes(k)) return refuse(`${word} has an unknown parameter ${k}`);
    for (const [k, v] of params) if (!Number.isFinite(v)) return refuse(`${word} ${k} has no number`);
    const f = params.get('F');
    const fastest = Math.max(e.maxFeedrate.x, e.maxFeedrate.y, e.maxFeedrate.z, e.maxFeedrate.e);
    if (f !== undefined && !(f > 0 && f <= fastest * 60 + EPS))
      return refuse(`feed rate F${f} (${(f / 60).toFixed(1)} mm/s) is above the ${fastest} mm/s the envelope allows`);
    const target: Record<Axis, number | undefined> = { ...this.position };
    for (const a of AXES) {
      const v = params.get(a.toUpperCase());
      if (v === undefined) continue;
      let t = v;
      if (this.relative) {
        const from = this.position[a];
        if (from === undefined) return refuse(`a relative move on ${a.toUpperCase()} needs a known position: home the printer first (G28)`);
        t = from + v;
      }
      if (t < -EPS || t > e.buildVolume[a] + EPS) return refuse(`${a.toUpperCase()} ${round(t)} mm is outside the build volume (0–${e.buildVolume[a]} mm)`);
      target[a] = t;
    }
    if (word === 'G2' || word === 'G3') {
      if (params.has('R')) return refuse('arcs must be given by their centre (I, J), not by a radius R, so they can be checked');
      const sx = this.position.x;
      const sy = this.position.y;
      if (sx === undefined || sy === undefined) return refuse('an arc needs a known X and Y position: home the printer first (G28)');
      const cx = sx + (params.get('I') ?? 0);
      const cy = sy + (params.get('J') ?? 0);
      const r = Math.hypot(params.get('I') ?? 0, params.get('J') ?? 0);
      if (cx - r < -EPS || cx + r > e.buildVolume.x + EPS || cy - r < -EPS || cy + r > e.buildVolume.y + EPS) return refuse('the arc leaves the build volume');
    }
    return { reason: null, apply: () => Object.assign(this.position, target) };
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
