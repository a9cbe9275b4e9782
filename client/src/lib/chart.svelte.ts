import { untrack } from 'svelte';
import type { Attachment } from 'svelte/attachments';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const COLORS = {
  clean: '#4cc9f0',
  degraded: '#ff9f43',
  accent: '#a78bfa',
  axis: '#8b93a7',
  grid: 'rgba(139,147,167,0.14)',
  mark: 'rgba(255,255,255,0.28)',
};

/** Model series colours, in order. */
export const PALETTE = ['#4cc9f0', '#a78bfa', '#34d399', '#f472b6', '#facc15'];

export interface ChartSpec {
  /** uPlot options without size; the chart fills its element's width. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** x positions (stream seconds) to mark with a thin vertical line: condition changes. */
  marks?: number[];
}

/**
 * The one uPlot attachment: creates the chart once from the first spec, then
 * a nested effect pushes each new `data` (and marks) through `setData`; a
 * ResizeObserver keeps the width; teardown destroys the chart. Options are
 * read once: key the element on anything that changes the series.
 */
export function chart(spec: () => ChartSpec, height = 190): Attachment<HTMLElement> {
  return (node) => {
    let marks: number[] = [];
    const u = untrack(() => {
      const s = spec();
      marks = s.marks ?? [];
      const options: uPlot.Options = {
        ...s.options,
        width: Math.max(200, node.clientWidth),
        height,
        hooks: { draw: [(u) => drawMarks(u, marks)] },
      };
      return new uPlot(options, s.data, node);
    });
    $effect(() => {
      const s = spec();
      marks = s.marks ?? [];
      u.setData(s.data);
    });
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, node.clientWidth), height }));
    resize.observe(node);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  };
}

/** Dark-theme axes: stream time in seconds along x, `yLabel` (with its unit) up the side. */
export function axes(yLabel: string, yValues?: (u: uPlot, splits: number[]) => string[]): uPlot.Axis[] {
  const common = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
  return [
    { ...common, label: 'stream time (s)', labelSize: 18, size: 32 },
    { ...common, label: yLabel, labelSize: 18, size: 46, values: yValues },
  ];
}

function drawMarks(u: uPlot, marks: number[]): void {
  if (marks.length === 0) return;
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.strokeStyle = COLORS.mark;
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = devicePixelRatio;
  for (const t of marks) {
    const x = Math.round(u.valToPos(t, 'x', true));
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  ctx.restore();
}
