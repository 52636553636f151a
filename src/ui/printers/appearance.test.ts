// The printer view's camera frames the whole machine: every corner of every part of each reference printer (and of
// a printer known only from Table 2) lies inside the view cone, whatever its height.
import { describe, expect, it } from 'vitest';
import { frameScene, loadScene, type PrinterScene } from './appearance';
import { getPrinterProfile, printerModelIds, type PrinterProfile } from '../../lib/machines/index';

const PROFILES: PrinterProfile[] = printerModelIds.map((id) => getPrinterProfile(id));

function corners(scene: PrinterScene): number[][] {
  const out: number[][] = [];
  for (const n of scene.nodes) {
    for (const sx of [-1, 1])
      for (const sy of [-1, 1])
        for (const sz of [-1, 1]) {
          out.push([n.position[0] + (sx * n.size[0]) / 2, n.position[1] + (sy * n.size[1]) / 2, n.position[2] + (sz * n.size[2]) / 2]);
        }
  }
  return out;
}

describe('frameScene', () => {
  const tableOnly: PrinterProfile = { ...PROFILES[0]!, id: 'table-2-only' as PrinterProfile['id'], volume: { x: 200, y: 200, z: 900 } };
  it.each([...PROFILES, tableOnly].map((p) => [p.id, p] as const))('%s is seen whole', async (_id, profile) => {
    const scene = await loadScene(profile);
    const frame = frameScene(scene, 40, 2);
    const axis = frame.target.map((t, i) => t - frame.position[i]!);
    const axisLen = Math.hypot(...axis);
    for (const c of corners(scene)) {
      const v = c.map((x, i) => x - frame.position[i]!);
      const cos = v.reduce((s, x, i) => s + x * axis[i]!, 0) / (Math.hypot(...v) * axisLen);
      expect((Math.acos(Math.min(1, cos)) * 180) / Math.PI).toBeLessThanOrEqual(20);
      expect(Math.hypot(...v)).toBeGreaterThan(frame.near);
      expect(Math.hypot(...v)).toBeLessThan(frame.far);
    }
  });

  it('a taller machine is seen from further away', async () => {
    const base = await loadScene(PROFILES[0]!);
    const tall: PrinterScene = {
      ...base,
      nodes: [...base.nodes, { id: 'tower', role: 'frame', shape: 'box', size: [20, 20, 2000], position: [0, 0, 1000], color: '#000' }],
    };
    const d = (s: PrinterScene) => {
      const f = frameScene(s);
      return Math.hypot(...f.position.map((p, i) => p - f.target[i]!));
    };
    expect(d(tall)).toBeGreaterThan(d(base) * 1.5);
  });
});
