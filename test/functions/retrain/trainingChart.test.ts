import { describe, expect, it } from 'vitest';
import { renderTrainingChart } from '../../../functions/retrain/trainingChart.ts';
import type { EpochLog } from '../../../model/recommender/trainRecommender.ts';

const LOG: EpochLog[] = [
  { phase: 'select', epoch: 1, loss: 9.5, validationNdcgAt10: 0.05, seconds: 1 },
  { phase: 'select', epoch: 2, loss: 8.1, validationNdcgAt10: 0.11, seconds: 1 },
  { phase: 'select', epoch: 3, loss: 7.7, validationNdcgAt10: 0.12, seconds: 1 },
  { phase: 'refit', epoch: 1, loss: 9.4, seconds: 1 },
  { phase: 'refit', epoch: 2, loss: 8.0, seconds: 1 },
];

function polylines(svg: string): { colour: string; points: [number, number][] }[] {
  return [...svg.matchAll(/<polyline points="([^"]+)" fill="none" stroke="([^"]+)"/g)].map((match) => ({
    colour: match[2],
    points: match[1].split(' ').map((pair) => pair.split(',').map(Number) as [number, number]),
  }));
}

describe('renderTrainingChart', () => {
  it('draws the loss of every epoch and the validation nDCG@10 of the selection epochs, with a rule where the refit starts', () => {
    const svg = renderTrainingChart(LOG, { title: 'Model v1', notes: ['published'] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const [loss, metric] = polylines(svg);
    expect(loss.points).toHaveLength(5);
    expect(metric.points).toHaveLength(3);
    // SVG y grows downwards: falling loss is rising y, rising nDCG is falling y.
    expect(loss.points[1][1]).toBeGreaterThan(loss.points[0][1]);
    expect(metric.points[2][1]).toBeLessThan(metric.points[0][1]);
    // The lines share the epoch axis: the metric's points sit over the first three loss points.
    expect(metric.points.map(([x]) => x)).toEqual(loss.points.slice(0, 3).map(([x]) => x));
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(1);
    expect(svg).toContain('>refit</text>');
    expect(svg).toContain('>published</text>');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('escapes text and says so when no epoch was run', () => {
    const svg = renderTrainingChart([], { title: 'a <b> & "c"', notes: ["kept: 'too few'"] });
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('kept: &apos;too few&apos;');
    expect(svg).toContain('no training epoch was run');
    expect(polylines(svg)).toHaveLength(0);
  });

  it('marks a single epoch with a dot and keeps a flat loss inside the plot', () => {
    const svg = renderTrainingChart([{ phase: 'fit', epoch: 1, loss: 3, seconds: 1 }], { title: 'one' });
    expect(svg.match(/<circle /g)).toHaveLength(1);
    const flat = renderTrainingChart(
      [1, 2, 3].map((epoch) => ({ phase: 'fit' as const, epoch, loss: 3, seconds: 1 })),
      { title: 'flat', width: 500, height: 300 },
    );
    const [line] = polylines(flat);
    for (const [x, y] of line.points) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(500);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(300);
    }
    expect(flat).not.toMatch(/NaN/);
  });
});
