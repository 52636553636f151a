// Test support: G-code whose every extruding line is unique, so a simulator's executed log shows what ran twice.

/** A part whose every extruding line is unique (absolute E grows), so the executed log shows what ran twice. */
export function uniquePart(layers = 8, perLayer = 24): { text: string; layerLines: string[][] } {
  const out = ['; test part with absolute extrusion', 'M140 S50', 'M104 S200', 'G28', 'M190 S50', 'M109 S200', 'G90', 'M82', 'G92 E0', 'M106 S200'];
  const layerLines: string[][] = [];
  let e = 0;
  for (let l = 0; l < layers; l++) {
    out.push(`;LAYER:${l}`, `G0 X40 Y40 Z${((l + 1) * 0.2).toFixed(2)} F6000`);
    const lines: string[] = [];
    for (let i = 0; i < perLayer; i++) {
      const a = (i / perLayer) * 2 * Math.PI;
      e += 0.05;
      lines.push(`G1 X${(50 + 10 * Math.cos(a)).toFixed(3)} Y${(50 + 10 * Math.sin(a)).toFixed(3)} E${e.toFixed(5)} F1800`);
    }
    out.push(...lines);
    layerLines.push(lines);
  }
  out.push('G91', 'G1 Z5 F600', 'G90', 'M104 S0', 'M140 S0', 'M107', 'M84');
  return { text: out.join('\n') + '\n', layerLines };
}
