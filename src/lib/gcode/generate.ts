// A printable test part for the "Print a test part" button and the benchmarks: a hollow square tower of many short
// segments.

export interface GenerateOptions {
  /** Number of layers. */
  layers: number;
  /** Square side, mm. */
  size?: number;
  /** Segments per layer side (more = many short segments). */
  segmentsPerSide?: number;
  layerHeight?: number;
  center?: { x: number; y: number };
  hotend?: number;
  bed?: number;
  feed?: number;
  tools?: number;
}

/** Generate a printable test part: a hollow square tower of many short segments. */
export function* generateTestGcode(o: GenerateOptions): Generator<string> {
  const size = o.size ?? 20;
  const per = o.segmentsPerSide ?? 10;
  const lh = o.layerHeight ?? 0.2;
  const cx = o.center?.x ?? 50;
  const cy = o.center?.y ?? 50;
  const feed = o.feed ?? 3000;
  yield '; twingrain generated test part';
  if (o.bed) yield `M140 S${o.bed}`;
  if (o.hotend) yield `M104 S${o.hotend}`;
  yield 'G28';
  if (o.bed) yield `M190 S${o.bed}`;
  if (o.hotend) yield `M109 S${o.hotend}`;
  yield 'G90';
  yield 'M83';
  yield 'G92 E0';
  const step = size / per;
  for (let layer = 0; layer < o.layers; layer++) {
    const z = (layer + 1) * lh;
    if (o.tools === 2) yield `T${layer % 2}`;
    yield `; layer ${layer + 1}`;
    yield `G0 X${(cx - size / 2).toFixed(2)} Y${(cy - size / 2).toFixed(2)} Z${z.toFixed(2)} F${feed}`;
    const corners: [number, number][] = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ];
    let x = cx - size / 2;
    let y = cy - size / 2;
    for (const [dx, dy] of corners) {
      for (let i = 0; i < per; i++) {
        x += dx * step;
        y += dy * step;
        yield `G1 X${x.toFixed(2)} Y${y.toFixed(2)} E${(step * 0.033).toFixed(4)} F${feed}`;
      }
    }
  }
  yield 'G91';
  yield 'G1 Z5 F600';
  yield 'G90';
  yield 'M104 S0';
  if (o.bed) yield 'M140 S0';
  yield 'M84';
}
