import type { Attachment } from 'svelte/attachments';
import type { Spectra } from './audioView.ts';
import type { Projection } from './track.ts';
import { COLORS } from './chart.svelte.ts';

// A perceptual dark-to-bright map (magma-like), 256 RGBA entries.
const STOPS: [number, number, number, number][] = [
  [0, 8, 9, 18], [0.2, 45, 17, 96], [0.4, 114, 31, 129], [0.6, 183, 55, 121], [0.75, 241, 96, 93], [0.9, 253, 168, 95], [1, 252, 253, 191],
];
const LUT = new Uint8ClampedArray(256 * 4);
for (let i = 0; i < 256; i++) {
  const x = i / 255;
  let k = 0;
  while (k < STOPS.length - 2 && x > STOPS[k + 1][0]) k++;
  const [x0, ...a] = STOPS[k];
  const [x1, ...b] = STOPS[k + 1];
  const f = (x - x0) / (x1 - x0);
  for (let c = 0; c < 3; c++) LUT[4 * i + c] = a[c] + (b[c] - a[c]) * f;
  LUT[4 * i + 3] = 255;
}

/**
 * A scrolling spectrogram on a canvas: one device pixel per STFT column, the
 * newest on the right, 0 Hz at the bottom. Reads the live column ring and
 * draws only the columns added since the last frame (all of them after a
 * reset or a resize). Silence shows as the darkest colour.
 */
export function spectrogram(source: () => Spectra | null, which: 'clean' | 'degraded'): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const ctx = canvas.getContext('2d')!;
    let drawn = 0;
    let full = true;
    const fit = () => {
      const r = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(r.width * devicePixelRatio));
      canvas.height = Math.max(1, Math.round(r.height * devicePixelRatio));
      full = true;
    };
    fit();
    const draw = (s: Spectra | null) => {
      const w = canvas.width;
      const h = canvas.height;
      if (!s || s.total < drawn) {
        drawn = 0;
        full = true;
      }
      if (!s) {
        ctx.fillStyle = 'rgb(8,9,18)';
        ctx.fillRect(0, 0, w, h);
        return;
      }
      const ring = s[which];
      let n = s.total - drawn;
      if (full || n >= w || n > ring.length) {
        ctx.fillStyle = 'rgb(8,9,18)';
        ctx.fillRect(0, 0, w, h);
        n = Math.min(w, ring.length);
        full = false;
      } else if (n > 0) {
        ctx.drawImage(canvas, -n, 0);
      }
      if (n <= 0) return;
      const img = ctx.createImageData(n, h);
      const cols = ring.slice(ring.length - n);
      for (let x = 0; x < n; x++) {
        const col = cols[x];
        for (let y = 0; y < h; y++) {
          const bin = Math.min(col.length - 1, Math.floor(((h - 1 - y) / h) * col.length));
          const v = Math.round(col[bin] * 255) * 4;
          const o = 4 * (y * n + x);
          img.data[o] = LUT[v];
          img.data[o + 1] = LUT[v + 1];
          img.data[o + 2] = LUT[v + 2];
          img.data[o + 3] = 255;
        }
      }
      ctx.putImageData(img, w - n, 0);
      drawn = s.total;
    };
    $effect(() => draw(source()));
    const resize = new ResizeObserver(() => {
      fit();
      drawn = 0;
      draw(source());
    });
    resize.observe(canvas);
    return () => resize.disconnect();
  };
}

/**
 * Clean and degraded embedding trajectories on the clean PCA plane: a faint
 * line through each (older points fainter), the latest points ringed, and
 * thin links from each of the last 12 clean points to its degraded twin, so
 * drift shows as the two paths pulling apart.
 */
export function projection(source: () => Projection | null): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const ctx = canvas.getContext('2d')!;
    let extent = 1;
    const draw = (p: Projection | null) => {
      const r = canvas.getBoundingClientRect();
      const dpr = devicePixelRatio;
      canvas.width = Math.max(1, Math.round(r.width * dpr));
      canvas.height = Math.max(1, Math.round(r.height * dpr));
      const w = canvas.width;
      const h = canvas.height;
      ctx.clearRect(0, 0, w, h);
      // Axes through the origin.
      ctx.strokeStyle = COLORS.grid;
      ctx.lineWidth = dpr;
      ctx.beginPath();
      ctx.moveTo(w / 2, 0);
      ctx.lineTo(w / 2, h);
      ctx.moveTo(0, h / 2);
      ctx.lineTo(w, h / 2);
      ctx.stroke();
      if (!p || p.clean.length < 2) return;
      // Scale to the 95th percentile of |coordinate| (a few outliers may leave the view);
      // grow at once, shrink slowly, so the view does not jump about.
      const m = Math.max(1e-9, 1.15 * quantileAbs([p.clean, p.degraded], 0.95));
      extent = m > extent ? m : extent * 0.97 + m * 0.03;
      const scale = (Math.min(w, h) / 2 - 14 * dpr) / extent;
      const X = (v: number) => w / 2 + v * scale;
      const Y = (v: number) => h / 2 - v * scale;
      const n = p.clean.length / 2;
      for (let i = Math.max(0, n - 12); i < n; i++) {
        ctx.strokeStyle = `rgba(255,255,255,${0.06 + (0.3 * (i - n + 12)) / 12})`;
        ctx.beginPath();
        ctx.moveTo(X(p.clean[2 * i]), Y(p.clean[2 * i + 1]));
        ctx.lineTo(X(p.degraded[2 * i]), Y(p.degraded[2 * i + 1]));
        ctx.stroke();
      }
      for (const [arr, color] of [[p.clean, COLORS.clean], [p.degraded, COLORS.degraded]] as const) {
        for (let i = 1; i < n; i++) {
          ctx.strokeStyle = color;
          ctx.globalAlpha = 0.08 + 0.8 * (i / n) ** 2;
          ctx.lineWidth = 1.5 * dpr;
          ctx.beginPath();
          ctx.moveTo(X(arr[2 * i - 2]), Y(arr[2 * i - 1]));
          ctx.lineTo(X(arr[2 * i]), Y(arr[2 * i + 1]));
          ctx.stroke();
        }
        ctx.globalAlpha = 1;
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(X(arr[2 * n - 2]), Y(arr[2 * n - 1]), 4.5 * dpr, 0, 2 * Math.PI);
        ctx.fill();
      }
    };
    $effect(() => draw(source()));
    const resize = new ResizeObserver(() => draw(source()));
    resize.observe(canvas);
    return () => resize.disconnect();
  };
}

function quantileAbs(arrays: Float32Array[], q: number): number {
  const all: number[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i++) all.push(Math.abs(a[i]));
  all.sort((x, y) => x - y);
  return all.length ? all[Math.min(all.length - 1, Math.floor(q * all.length))] : 0;
}
