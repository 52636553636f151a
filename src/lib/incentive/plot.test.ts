import { describe, expect, it } from 'vitest';
import { linePlot, ticks } from './plot';

describe('linePlot', () => {
  const series = [
    {
      label: 'ours',
      color: '#1f77b4',
      points: [
        [2, 0.5],
        [4, 1.2],
        [8, 30],
        [16, 400],
        [32, Number.NaN],
      ] as [number, number][],
    },
    {
      label: 'paper',
      color: '#d62728',
      dashed: true,
      points: [
        [2, 1],
        [4, 2],
        [8, 0],
        [16, 900],
      ] as [number, number][],
    },
  ];

  it('draws log2 x and decade y axes: a tick at each sending rate, one per decade, unusable points left out', () => {
    const svg = linePlot({ title: 'T', xLabel: 'rate', yLabel: 's', xScale: 'log2', yScale: 'log10', series });
    expect(svg).not.toMatch(/NaN|Infinity/);
    for (const x of ['2', '4', '8', '16']) expect(svg).toContain(`text-anchor="middle">${x}</text>`);
    expect(svg).not.toContain('text-anchor="middle">32</text>'); // its only point is NaN
    for (const y of ['0.1', '1', '10', '100', '1000']) expect(svg).toContain(`text-anchor="end">${y}</text>`);
    expect(svg.match(/stroke-dasharray="6 4"/g)).toHaveLength(2); // the dashed series and its legend line
  });

  it('keeps the linear plot of the analysis documents', () => {
    const svg = linePlot({
      title: 'T',
      xLabel: 'm',
      yLabel: 'Z',
      zeroLine: true,
      series: [
        {
          label: 'a',
          color: '#000',
          points: [
            [0, -1],
            [10, 3],
          ],
        },
      ],
    });
    expect(svg).toContain('stroke-dasharray="4 3"');
    expect(svg).not.toMatch(/NaN/);
    expect(ticks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
  });
});
