// A small line-chart writer for the bench reports: a few series over a log2 x axis (sending rates 2…32), plain SVG
// that GitHub renders inline. Dashed series are models or the paper, solid ones are measurements.
export interface Series {
  name: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  color?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** log scale on y (for values spanning decades, like the paper's Table 4). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number, count = 5): number[] {
  const span = max - min || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k` : String(Number(v.toPrecision(3))));

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 380;
  const m = { l: 70, r: 170, t: 36, b: 48 };
  const pts = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0));
  const xs = pts.map((p) => Math.log2(p.x));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const ty = (v: number) => (o.logY ? Math.log10(v) : v);
  const ys = pts.map((p) => ty(p.y));
  const y0 = o.logY ? Math.floor(Math.min(...ys)) : 0;
  const y1 = o.logY ? Math.ceil(Math.max(...ys)) : Math.max(...ys) * 1.08 || 1;
  const px = (x: number) => m.l + ((Math.log2(x) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((ty(y) - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - m.r / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`);
  const yTicks = o.logY ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i)) : niceTicks(0, y1);
  for (const t of yTicks) {
    const y = py(t);
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  const xTicks = [...new Set(pts.map((p) => p.x))].sort((a, b) => a - b);
  for (const t of xTicks) {
    const x = px(t);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${x}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="black"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="black"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const good = s.points.filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0)).sort((a, b) => a.x - b.x);
    if (good.length) {
      const d = good.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      for (const p of good) out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = m.t + 10 + i * 18;
    out.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${W - m.r + 42}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
