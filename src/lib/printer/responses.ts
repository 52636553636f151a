// Parsing of what Marlin sends back. Every line is classified; unknown or garbled lines are kept as 'other'.

export interface TemperatureReading {
  /** Hotend temperatures and targets by index (T0, T1, …). */
  hotends: { temperature: number; target: number }[];
  bed?: { temperature: number; target: number };
  /** Set during M109/M190 waits. */
  waiting: boolean;
}

export interface PositionReading {
  x: number;
  y: number;
  z: number;
  e: number;
}

export type FirmwareLine =
  | { kind: 'ok'; n?: number; plannerFree?: number; queueFree?: number; temperatures?: TemperatureReading }
  | { kind: 'resend'; line: number }
  | { kind: 'error'; message: string; lineError: 'line-number' | 'checksum' | undefined; fatal: boolean }
  | { kind: 'busy'; message: string }
  | { kind: 'start' }
  | { kind: 'temperature'; temperatures: TemperatureReading }
  | { kind: 'position'; position: PositionReading }
  | { kind: 'firmware'; info: Record<string, string> }
  | { kind: 'capability'; name: string; enabled: boolean }
  | { kind: 'unknown-command'; command: string }
  | { kind: 'echo'; message: string }
  | { kind: 'other'; text: string };

const num = (s: string | undefined) => (s === undefined ? NaN : Number(s));

export function parseTemperatures(text: string): TemperatureReading | undefined {
  if (!/(^|\s)T\d?:-?[\d.]+/.test(text)) return undefined;
  const hotends: { temperature: number; target: number }[] = [];
  let single: { temperature: number; target: number } | undefined;
  let bed: { temperature: number; target: number } | undefined;
  const re = /(^|\s)(T\d?|B):\s*(-?[\d.]+)(?:\s*\/\s*(-?[\d.]+))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const reading = { temperature: num(m[3]), target: Number.isFinite(num(m[4])) ? num(m[4]) : 0 };
    if (!Number.isFinite(reading.temperature)) continue;
    const key = m[2]!;
    if (key === 'B') bed = reading;
    else if (key === 'T') single = reading;
    else hotends[Number(key.slice(1))] = reading;
  }
  const list = hotends.length > 0 ? Array.from(hotends, (h) => h ?? { temperature: NaN, target: 0 }) : single ? [single] : [];
  if (list.length === 0) return undefined;
  return { hotends: list, ...(bed ? { bed } : {}), waiting: /\sW:/.test(text) };
}

export function parseFirmwareLine(raw: string): FirmwareLine {
  const text = raw.replace(/\r$/, '').trim();
  if (text === 'ok' || text.startsWith('ok ')) {
    const line: FirmwareLine = { kind: 'ok' };
    const n = /\bN(\d+)\b/.exec(text);
    const p = /\bP(\d+)\b/.exec(text);
    const b = /\bB(\d+)\b/.exec(text);
    if (n && p && b) {
      line.n = Number(n[1]);
      line.plannerFree = Number(p[1]);
      line.queueFree = Number(b[1]);
    }
    const temps = parseTemperatures(text.slice(2));
    if (temps) line.temperatures = temps;
    return line;
  }
  // Strict: a resend request garbled by line noise must not be read as a request for another line.
  const resend = /^(?:Resend|rs)\s*:?\s*N?(\d+)$/i.exec(text);
  if (resend) return { kind: 'resend', line: Number(resend[1]) };
  if (text.startsWith('!!')) return { kind: 'error', message: text.slice(2).trim(), lineError: undefined, fatal: true };
  if (/^Error:/i.test(text)) {
    const message = text.slice(6).trim();
    // "No Line Number with checksum" is what the tail of a line cut by Marlin's RX flush looks like: it comes from
    // a line that was already on its way, like a wrong line number does.
    const lineError = /Line Number is not|No Line Number/i.test(message) ? 'line-number' : /checksum/i.test(message) ? 'checksum' : undefined;
    // Marlin follows these with kill(): the printer stops until it is reset.
    const fatal = /halted|kill|thermal runaway|MINTEMP|MAXTEMP|heating failed|stopped/i.test(message);
    return { kind: 'error', message, lineError, fatal };
  }
  if (/^echo:\s*busy:/i.test(text) || /^busy:/i.test(text)) return { kind: 'busy', message: text };
  if (text === 'start') return { kind: 'start' };
  if (text.startsWith('FIRMWARE_NAME:')) {
    const info: Record<string, string> = {};
    const re = /([A-Z_]+):(.*?)(?=\s+[A-Z_]+:|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) info[m[1]!] = m[2]!.trim();
    return { kind: 'firmware', info };
  }
  const cap = /^Cap:([A-Z_0-9]+):([01])/.exec(text);
  if (cap) return { kind: 'capability', name: cap[1]!, enabled: cap[2] === '1' };
  const pos = /^X:\s*(-?[\d.]+)\s+Y:\s*(-?[\d.]+)\s+Z:\s*(-?[\d.]+)(?:\s+E:\s*(-?[\d.]+))?/.exec(text);
  if (pos) return { kind: 'position', position: { x: num(pos[1]), y: num(pos[2]), z: num(pos[3]), e: Number.isFinite(num(pos[4])) ? num(pos[4]) : 0 } };
  const temps = parseTemperatures(text);
  if (temps && /^T\d?:/.test(text)) return { kind: 'temperature', temperatures: temps };
  const unknown = /^echo:\s*Unknown command:\s*"(.*)"/.exec(text);
  if (unknown) return { kind: 'unknown-command', command: unknown[1]! };
  if (text.startsWith('echo:')) return { kind: 'echo', message: text.slice(5).trim() };
  return { kind: 'other', text };
}
