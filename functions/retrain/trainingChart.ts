import type { EpochLog } from '../../model/recommender/trainRecommender.ts';

export interface TrainingChartOptions {
  readonly title: string;
  /** Lines under the title (the gate's result, the data). */
  readonly notes?: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

const LOSS_COLOUR = '#1f77b4';
const METRIC_COLOUR = '#d95f02';
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/**
 * The ranking model's training as an SVG line chart, written by hand (no dependency): the training
 * loss per epoch on the left axis, the validation nDCG@10 per selection epoch on the right one,
 * epochs in the order they ran (a dashed rule marks where the refit on all data starts).
 */
export function renderTrainingChart(log: readonly EpochLog[], options: TrainingChartOptions): string {
  const width = options.width ?? 760;
  const notes = options.notes ?? [];
  const top = 58 + notes.length * 18;
  const height = options.height ?? top + 300;
  const plot = { left: 70, right: width - 70, top, bottom: height - 56 };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${plot.left}" y="26" ${FONT} font-size="16" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`,
    ...notes.map((note, i) => `<text x="${plot.left}" y="${46 + i * 18}" ${FONT} font-size="12" fill="#444">${escapeXml(note)}</text>`),
  ];
  const points = log.map((entry, i) => ({ x: i + 1, loss: entry.loss, metric: entry.validationNdcgAt10, phase: entry.phase }));
  const losses = points.map((p) => p.loss).filter(Number.isFinite);
  const metrics = points.map((p) => p.metric).filter((m): m is number => m !== undefined && Number.isFinite(m));
  if (points.length === 0 || losses.length === 0) {
    out.push(
      `<text x="${(plot.left + plot.right) / 2}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" ${FONT} font-size="14" fill="#666">no training epoch was run</text>`,
      '</svg>',
    );
    return `${out.join('\n')}\n`;
  }

  const xScale = (x: number): number => plot.left + (points.length === 1 ? 0.5 : (x - 1) / (points.length - 1)) * (plot.right - plot.left);
  const lossAxis = niceAxis(Math.min(...losses), Math.max(...losses));
  const metricAxis = niceAxis(Math.min(...(metrics.length ? metrics : [0])), Math.max(...(metrics.length ? metrics : [1])));
  const yScale = (axis: Axis, v: number): number => plot.bottom - ((v - axis.min) / (axis.max - axis.min)) * (plot.bottom - plot.top);

  // Grid and axes.
  for (const tick of lossAxis.ticks) {
    const y = round(yScale(lossAxis, tick));
    out.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#e6e6e6"/>`);
    out.push(
      `<text x="${plot.left - 8}" y="${y + 4}" text-anchor="end" ${FONT} font-size="11" fill="${LOSS_COLOUR}">${formatTick(tick, lossAxis.step)}</text>`,
    );
  }
  if (metrics.length > 0) {
    for (const tick of metricAxis.ticks) {
      const y = round(yScale(metricAxis, tick));
      out.push(
        `<text x="${plot.right + 8}" y="${y + 4}" ${FONT} font-size="11" fill="${METRIC_COLOUR}">${formatTick(tick, metricAxis.step)}</text>`,
      );
    }
  }
  out.push(
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#999"/>`,
  );
  for (const x of xTicks(points.length)) {
    const px = round(xScale(x));
    out.push(`<line x1="${px}" y1="${plot.bottom}" x2="${px}" y2="${plot.bottom + 4}" stroke="#999"/>`);
    out.push(`<text x="${px}" y="${plot.bottom + 17}" text-anchor="middle" ${FONT} font-size="11" fill="#444">${x}</text>`);
  }
  out.push(
    `<text x="${(plot.left + plot.right) / 2}" y="${height - 20}" text-anchor="middle" ${FONT} font-size="12" fill="#444">epoch (in the order run)</text>`,
  );
  out.push(
    `<text transform="translate(18 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle" ${FONT} font-size="12" fill="${LOSS_COLOUR}">training loss</text>`,
  );
  if (metrics.length > 0) {
    out.push(
      `<text transform="translate(${width - 14} ${(plot.top + plot.bottom) / 2}) rotate(90)" text-anchor="middle" ${FONT} font-size="12" fill="${METRIC_COLOUR}">validation nDCG@10</text>`,
    );
  }

  // Each phase named at the foot of the plot, a dashed rule where one follows another.
  for (let i = 0; i < points.length; i++) {
    if (i > 0 && points[i].phase === points[i - 1].phase) continue;
    const x = i === 0 ? plot.left : round((xScale(points[i - 1].x) + xScale(points[i].x)) / 2);
    if (i > 0) out.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.bottom}" stroke="#888" stroke-dasharray="4 4"/>`);
    out.push(`<text x="${x + 5}" y="${plot.bottom - 6}" ${FONT} font-size="11" fill="#666">${escapeXml(points[i].phase)}</text>`);
  }

  out.push(
    polyline(
      points.filter((p) => Number.isFinite(p.loss)).map((p) => [xScale(p.x), yScale(lossAxis, p.loss)]),
      LOSS_COLOUR,
    ),
  );
  const metricPoints = points.filter((p) => p.metric !== undefined && Number.isFinite(p.metric));
  if (metricPoints.length > 0) {
    out.push(
      polyline(
        metricPoints.map((p) => [xScale(p.x), yScale(metricAxis, p.metric as number)]),
        METRIC_COLOUR,
      ),
    );
  }

  // Legend.
  const legendY = plot.top - 10;
  const legendX = plot.right - (metrics.length > 0 ? 230 : 100);
  out.push(`<line x1="${legendX}" y1="${legendY}" x2="${legendX + 20}" y2="${legendY}" stroke="${LOSS_COLOUR}" stroke-width="2"/>`);
  out.push(`<text x="${legendX + 25}" y="${legendY + 4}" ${FONT} font-size="11" fill="#444">training loss</text>`);
  if (metrics.length > 0) {
    out.push(
      `<line x1="${legendX + 105}" y1="${legendY}" x2="${legendX + 125}" y2="${legendY}" stroke="${METRIC_COLOUR}" stroke-width="2"/>`,
    );
    out.push(`<text x="${legendX + 130}" y="${legendY + 4}" ${FONT} font-size="11" fill="#444">validation nDCG@10</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly ticks: readonly number[];
}

/** An axis from `low` to `high` widened to round steps of 1, 2 or 5 × 10^n, about five ticks. */
function niceAxis(low: number, high: number): Axis {
  let min = low;
  let max = high;
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 0.5;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const start = Math.floor(min / step) * step;
  const end = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let k = 0; start + k * step <= end + step / 2; k++) ticks.push(start + k * step);
  return { min: start, max: end, step, ticks };
}

/** About ten epoch labels, always the first and the last. */
function xTicks(count: number): number[] {
  const step = Math.max(1, Math.ceil(count / 10));
  const ticks: number[] = [];
  for (let x = 1; x <= count; x += step) ticks.push(x);
  const last = ticks.length - 1;
  if (ticks[last] !== count) {
    if (last > 0 && count - ticks[last] < step / 2) ticks[last] = count;
    else ticks.push(count);
  }
  return ticks;
}

function polyline(points: readonly (readonly [number, number])[], colour: string): string {
  if (points.length === 1) {
    const [x, y] = points[0];
    return `<circle cx="${round(x)}" cy="${round(y)}" r="3" fill="${colour}"/>`;
  }
  const path = points.map(([x, y]) => `${round(x)},${round(y)}`).join(' ');
  return `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"/>`;
}

function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return value.toFixed(Math.min(decimals, 6));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}
