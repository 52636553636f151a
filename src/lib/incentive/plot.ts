// Small dependency-free SVG plots (strings) for the analysis documents and the bench reports: line charts (linear or
// log axes) and sign maps. The one plot writer of the project (scripts/bench draws with it too).
interface Series {
  label: string;
  points: [number, number][];
  color: string;
  /** Dashed: a model or the paper's figures beside measurements. */
  dashed?: boolean;
  /** Marked points, e.g. m_i* on a provider's curve. */
  markers?: [number, number][];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round tick positions covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4)));

export interface LinePlotParameters {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  zeroLine?: boolean;
  /** 'log2': x on a base-2 log scale with a tick at each x that has data (sending rates 2…32). */
  xScale?: 'linear' | 'log2';
  /** 'log10': y on a decade scale (values spanning decades); points with y ≤ 0 are left out. */
  yScale?: 'linear' | 'log10';
}

export function linePlot(p: LinePlotParameters): string {
  const W = p.width ?? 640;
  const H = p.height ?? 400;
  const L = 70,
    R = 170,
    T = 36,
    B = 50;
  const fx = p.xScale === 'log2' ? Math.log2 : (x: number) => x;
  const fy = p.yScale === 'log10' ? Math.log10 : (y: number) => y;
  const usable = ([x, y]: [number, number]) => Number.isFinite(x) && Number.isFinite(y) && (p.yScale !== 'log10' || y > 0) && (p.xScale !== 'log2' || x > 0);
  const series = p.series.map((s) => ({ ...s, points: s.points.filter(usable) }));
  const all = series.flatMap((s) => s.points);
  let [x0, x1] = [Math.min(...all.map((q) => fx(q[0]))), Math.max(...all.map((q) => fx(q[0])))];
  let [y0, y1] = [Math.min(...all.map((q) => fy(q[1]))), Math.max(...all.map((q) => fy(q[1])))];
  if (p.zeroLine) [y0, y1] = [Math.min(y0, 0), Math.max(y1, 0)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  if (p.yScale === 'log10') [y0, y1] = [Math.floor(y0), Math.ceil(y1)];
  else {
    const pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
  }
  const sx = (x: number) => L + ((fx(x) - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => H - B - ((fy(y) - y0) / (y1 - y0)) * (H - T - B);
  const xTicks = p.xScale === 'log2' ? [...new Set(all.map((q) => q[0]))].sort((a, b) => a - b) : ticks(x0, x1);
  const yTicks = p.yScale === 'log10' ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i)) : ticks(y0, y1);
  const dash = (s: Series) => (s.dashed ? ' stroke-dasharray="6 4"' : '');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - R / 2}" y="20" text-anchor="middle" font-size="14">${esc(p.title)}</text>`,
  ];
  for (const t of xTicks)
    parts.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${T}" y2="${H - B}" stroke="#eee"/><text x="${sx(t)}" y="${H - B + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  for (const t of yTicks)
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/><text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  if (p.zeroLine) parts.push(`<line x1="${L}" x2="${W - R}" y1="${sy(0)}" y2="${sy(0)}" stroke="#888" stroke-dasharray="4 3"/>`);
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  series.forEach((s, k) => {
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = sorted.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join('');
    if (sorted.length) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash(s)}/>`);
    for (const [x, y] of s.markers ?? []) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="4" fill="${s.color}"/>`);
    parts.push(
      `<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${T + 10 + k * 18}" y2="${T + 10 + k * 18}" stroke="${s.color}" stroke-width="2"${dash(s)}/><text x="${W - R + 38}" y="${T + 14 + k * 18}">${esc(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A grid coloured by the sign of a quantity: '>' green, '=' grey, '<' red; an optional curve drawn on top. */
export function signMap(p: {
  title: string;
  xLabel: string;
  yLabel: string;
  xs: number[];
  ys: number[];
  /** cells[yIndex][xIndex] */
  cells: ('>' | '=' | '<' | null)[][];
  legend: Record<'>' | '=' | '<', string>;
  curve?: [number, number][];
  logX?: boolean;
  logY?: boolean;
}): string {
  const W = 640,
    H = 420,
    L = 70,
    R = 190,
    T = 36,
    B = 50;
  const tx = (v: number) => (p.logX ? Math.log10(v) : v);
  const ty = (v: number) => (p.logY ? Math.log10(v) : v);
  const [x0, x1] = [tx(p.xs[0]!), tx(p.xs[p.xs.length - 1]!)];
  const [y0, y1] = [ty(p.ys[0]!), ty(p.ys[p.ys.length - 1]!)];
  const sx = (v: number) => L + ((tx(v) - x0) / (x1 - x0)) * (W - L - R);
  const sy = (v: number) => H - B - ((ty(v) - y0) / (y1 - y0)) * (H - T - B);
  const cw = (W - L - R) / (p.xs.length - 1);
  const ch = (H - T - B) / (p.ys.length - 1);
  const color = { '>': '#4caf50', '=': '#bdbdbd', '<': '#e53935' } as const;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(L + W - R) / 2}" y="20" text-anchor="middle" font-size="14">${esc(p.title)}</text>`,
  ];
  p.ys.forEach((y, j) =>
    p.xs.forEach((x, i) => {
      const c = p.cells[j]![i];
      if (c)
        parts.push(
          `<rect x="${(sx(x) - cw / 2).toFixed(2)}" y="${(sy(y) - ch / 2).toFixed(2)}" width="${cw.toFixed(2)}" height="${ch.toFixed(2)}" fill="${color[c]}"/>`,
        );
    }),
  );
  if (p.curve)
    parts.push(
      `<path d="${p.curve.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join('')}" fill="none" stroke="black" stroke-width="2" stroke-dasharray="6 3"/>`,
    );
  const xt = p.logX ? ticks(x0, x1).map((t) => 10 ** t) : ticks(x0, x1);
  const yt = p.logY ? ticks(y0, y1).map((t) => 10 ** t) : ticks(y0, y1);
  for (const t of xt) parts.push(`<text x="${sx(t)}" y="${H - B + 16}" text-anchor="middle">${fmt(t)}</text>`);
  for (const t of yt) parts.push(`<text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  (['>', '=', '<'] as const).forEach((k, n) =>
    parts.push(
      `<rect x="${W - R + 12}" y="${T + n * 20}" width="14" height="14" fill="${color[k]}"/><text x="${W - R + 32}" y="${T + 11 + n * 20}">${esc(p.legend[k])}</text>`,
    ),
  );
  if (p.curve)
    parts.push(
      `<line x1="${W - R + 12}" x2="${W - R + 26}" y1="${T + 67}" y2="${T + 67}" stroke="black" stroke-dasharray="6 3" stroke-width="2"/><text x="${W - R + 32}" y="${T + 71}">analytic boundary</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}
