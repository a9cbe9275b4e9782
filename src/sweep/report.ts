/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no
 * external resources) that summarises a sweep, draws it and lists every grid point.
 */
import { orderedModels, pointComparator, roomAxisTitle, roomLabel, snrLabel } from './gridLabels.ts';
import { renderFigures, type Figure } from './reportFigures.ts';
import { finiteMean } from './stats.ts';
import type { CleanResult, Estimate, PointResult, Protocol, Room, RoomResult, SweepResults, WakeWordMetrics } from './types.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Three decimals; a value the sweep could not compute shows as "n/a". */
export function formatValue(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'n/a';
}

/** "0.812 [0.790, 0.833]": the mean and its 95% interval. */
export function formatEstimate(e: Estimate): string {
  return `${formatValue(e.mean)} [${formatValue(e.lo)}, ${formatValue(e.hi)}]`;
}

/** A room in words: "dry", "RT60 0.6 s", "room street". */
function describeRoom(room: Room): string {
  return room === 0 ? 'dry' : typeof room === 'number' ? `RT60 ${room} s` : `room ${room}`;
}

/** "SNR -5 dB · RT60 0.6 s · azimuth 90° · babble noise, 2 sources". */
export function describePoint(p: PointResult): string {
  const room = describeRoom(p.room);
  const sources = `${p.noiseSources} source${p.noiseSources === 1 ? '' : 's'}`;
  const noise = p.snrDb === 'clean' ? ['no added noise'] : [`SNR ${p.snrDb} dB`];
  const rest = p.snrDb === 'clean' ? [] : [`${p.noise} noise, ${sources}`];
  return [...noise, room, `azimuth ${p.azimuthDeg}°`, ...rest].join(' · ');
}

const protocolNotes: Record<Protocol, string> = {
  clean: 'one probe per model, trained on clean training clips, evaluated on every condition',
  matched: 'a probe per cell, trained on training clips degraded the same way',
  probe: 'probes trained beforehand, evaluated on every condition',
  wakeword: 'ready-made wake-word heads on every clip: positives in the folder named after a head, negatives in the others; top-1 counts a clip right when the head of its folder fires (or none, for a negative)',
};

const cell = (text: string, className = '') => `<td${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</td>`;

function expectedPoints(results: SweepResults): number {
  const { snrDb, room, azimuthDeg, noise, noiseSources } = results.spec.axes;
  return results.spec.models.length * snrDb.length * room.length * azimuthDeg.length * noise.length * noiseSources.length;
}

function isIncomplete(results: SweepResults): boolean {
  return results.cellsDone < results.cellsTotal;
}

function incompleteBanner(results: SweepResults): string {
  if (!isIncomplete(results)) return '';
  const share = results.cellsTotal > 0 ? Math.floor((100 * results.cellsDone) / results.cellsTotal) : 0;
  const partial = results.points.filter((p) => p.seeds < results.spec.seeds).length;
  const missing = Math.max(0, expectedPoints(results) - results.points.length);
  const details = [
    missing > 0 ? `${missing} of ${expectedPoints(results)} grid points have no finished cell yet and are left out` : '',
    partial > 0 ? `${partial} grid points rest on fewer seeds than asked (marked in the table)` : '',
  ].filter(Boolean);
  return `<p class="warning"><strong>Incomplete sweep:</strong> ${results.cellsDone} of ${results.cellsTotal} cells done (${share}%). Every figure and number below covers the finished cells only${details.length ? `; ${escapeHtml(details.join('; '))}` : ''}. Resume the sweep to complete it.</p>`;
}

function axesList(results: SweepResults): string {
  const a = results.spec.axes;
  const rows: [string, string][] = [
    ['SNR (dB)', a.snrDb.map(snrLabel).join(', ')],
    ['rooms', a.room.map((r) => (r === 0 ? '0 (dry)' : typeof r === 'number' ? `${r} s` : r)).join(', ')],
    ['azimuth (°)', a.azimuthDeg.join(', ')],
    ['noise', a.noise.join(', ')],
    ['noise sources', a.noiseSources.join(', ')],
  ];
  return `<ul class="axes">${rows.map(([name, values]) => `<li><span>${escapeHtml(name)}:</span> ${escapeHtml(values)}</li>`).join('')}</ul>`;
}

// Which SNR definition, recipe and clean reference the numbers rest on (results written before these were recorded read as pooled, earshot, original: what they were).
function sceneNote(results: SweepResults): string {
  const mode = results.snrMode === 'per-channel' ? 'SNR per channel (one noise gain per channel)' : 'SNR pooled over channels (one noise gain)';
  const recipe = results.recipe === 'nathear' ? 'recipe nathear (the Nat-HEAR evaluation code: clips padded to the 4 s RIR before the SNR is set)' : 'recipe earshot';
  const reference = results.cleanReference === 'levelled' ? 'clean reference: the clips levelled to -14 dBFS, as scenes level the talker' : 'clean reference: the clips as decoded';
  return `${mode}; ${recipe}; ${reference}`;
}

function header(results: SweepResults): string {
  const { spec } = results;
  const split = spec.protocol === 'probe' ? 'held out by the probes' : spec.protocol === 'wakeword' ? 'every clip' : `test fraction ${spec.testFraction}, split seed ${spec.splitSeed}`;
  const probes = spec.protocol === 'probe'
    ? `<ul>${Object.entries(spec.probes).map(([model, path]) => `<li>${escapeHtml(model)}: <code>${escapeHtml(path)}</code></li>`).join('')}</ul>`
    : spec.wakeword
      ? `<ul><li><code>${escapeHtml(spec.wakeword.probe)}</code>, threshold ${spec.wakeword.threshold}</li></ul>`
      : '';
  const entries: [string, string][] = [
    ['Models', escapeHtml(orderedModels(results).join(', '))],
    ['Data', `<code>${escapeHtml(spec.data)}</code> (${results.classes.length} classes: ${escapeHtml(results.classes.join(', '))})`],
    ['Protocol', `${escapeHtml(spec.protocol)}: ${escapeHtml(protocolNotes[spec.protocol] ?? '')}${probes}`],
    ['Receiver', escapeHtml(spec.receiver)],
    ['Scene', escapeHtml(sceneNote(results))],
    ['Seeds', `${spec.seeds} per grid point`],
    ['Test clips', `${results.testClips} (${escapeHtml(split)})`],
    ['Grid', axesList(results)],
    ['Cells', `${results.cellsDone} of ${results.cellsTotal} done${isIncomplete(results) ? ' <strong class="bad">(incomplete)</strong>' : ''}`],
    ['Intervals', `95% bias-corrected bootstrap over seeds and clips (${results.bootstrap} resamples)`],
    ['Created', escapeHtml(results.createdAt)],
  ];
  return `<header><h1>earshot sweep report</h1>${incompleteBanner(results)}<dl>${entries.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></header>`;
}

const metricKeys = ['top1', 'macroF1', 'mAP'] as const;
const metricNames = { top1: 'top-1', macroF1: 'macro-F1', mAP: 'mAP' } as const;

function summaryRow(model: string, clean: CleanResult | undefined, points: PointResult[]): string {
  const cleanCells = metricKeys.map((k) => cell(clean ? formatEstimate(clean[k]) : 'n/a'));
  const degraded = metricKeys.map((k) => cell(formatValue(finiteMean(points.map((p) => p[k].mean)))));
  const relative = metricKeys.map((k) => cell(formatValue(finiteMean(points.map((p) => p.relative[k].mean)))));
  const worst = points
    .filter((p) => Number.isFinite(p.top1.mean))
    .reduce<PointResult | undefined>((w, p) => (w === undefined || p.top1.mean < w.top1.mean ? p : w), undefined);
  const worstCell = worst ? `<td>${escapeHtml(formatEstimate(worst.top1))}<br><span class="muted">${escapeHtml(describePoint(worst))}</span></td>` : cell('n/a');
  return `<tr><th scope="row">${escapeHtml(model)}</th>${cleanCells.join('')}${degraded.join('')}${relative.join('')}${worstCell}</tr>`;
}

function summaryTable(results: SweepResults, models: string[]): string {
  const names = metricKeys.map((k) => `<th>${metricNames[k]}</th>`).join('');
  const rows = models.map((m) => summaryRow(m, results.clean.find((c) => c.model === m), results.points.filter((p) => p.model === m)));
  return `<section><h2>Robustness per model</h2>
<p class="note">Clean: the model's probe on the clean test clips, with 95% intervals. Degraded: the mean over the model's grid points of each metric. Relative robustness: the mean over the grid points of degraded ÷ clean (paired on the same clips); 1 means no loss. Worst: the grid point with the lowest top-1.</p>
<div class="scroll"><table class="summary">
<thead><tr><th rowspan="2">model</th><th colspan="3">clean</th><th colspan="3">degraded (mean over grid)</th><th colspan="3">relative robustness</th><th rowspan="2">worst grid point (top-1)</th></tr>
<tr>${names}${names}${names}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

/** The condition columns of the grid table; an axis with one value becomes a note instead. */
const conditionColumns: { head: string; value: (p: PointResult) => string; note: (p: PointResult) => string }[] = [
  { head: 'SNR (dB)', value: (p) => snrLabel(p.snrDb), note: (p) => (p.snrDb === 'clean' ? 'no added noise' : `SNR ${p.snrDb} dB`) },
  { head: 'room', value: (p) => roomLabel(p.room), note: (p) => (p.room === 0 ? 'dry (no room)' : describeRoom(p.room)) },
  { head: 'azimuth (°)', value: (p) => String(p.azimuthDeg), note: (p) => `azimuth ${p.azimuthDeg}°` },
  { head: 'noise', value: (p) => p.noise, note: (p) => `noise ${p.noise}` },
  { head: 'noise sources', value: (p) => String(p.noiseSources), note: (p) => `noise sources ${p.noiseSources}` },
];

function pointRow(p: PointResult, columns: typeof conditionColumns, seedsAsked: number): string {
  const seeds = p.seeds < seedsAsked ? cell(`${p.seeds} of ${seedsAsked}`, 'bad') : cell(String(p.seeds));
  const estimates = [p.top1, p.macroF1, p.mAP, p.cosine, p.relative.top1, p.relative.macroF1, p.relative.mAP].map((e) => cell(formatEstimate(e)));
  return `<tr><th scope="row">${escapeHtml(p.model)}</th>${columns.map((c) => cell(c.value(p))).join('')}${seeds}${cell(String(p.clips))}${estimates.join('')}</tr>`;
}

function pointsTable(results: SweepResults, models: string[]): string {
  const points = [...results.points].sort(pointComparator(models));
  const varying = conditionColumns.filter((c) => new Set(points.map(c.value)).size > 1);
  const constant = conditionColumns.filter((c) => !varying.includes(c) && points.length > 0).map((c) => c.note(points[0]));
  const head = ['model', ...varying.map((c) => c.head), 'seeds', 'clips', 'top-1', 'macro-F1', 'mAP', 'cosine', 'rel. top-1', 'rel. macro-F1', 'rel. mAP'];
  const body = points.length
    ? points.map((p) => pointRow(p, varying, results.spec.seeds)).join('\n')
    : `<tr><td colspan="${head.length}">No grid point has finished yet.</td></tr>`;
  const same = constant.length ? ` Same for every row, so not repeated: ${escapeHtml(constant.join(', '))}.` : '';
  return `<section><h2>Every grid point</h2>
<p class="note">Each value: the mean and its 95% interval. Cosine: similarity of each clip's degraded scene embedding to its clean one. Relative: degraded ÷ clean, paired on the same clips.${same}</p>
<div class="scroll"><table class="points"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${body}</tbody></table></div></section>`;
}

/** A wake-word sweep's table: per head, clean and at every grid point, each figure with its interval. */
function wakeWordTable(results: SweepResults, models: string[]): string {
  if (!results.spec.wakeword) return '';
  const points = [...results.points].sort(pointComparator(models));
  const varying = conditionColumns.filter((c) => new Set(points.map(c.value)).size > 1);
  const head = ['model', 'head', 'condition', ...varying.map((c) => c.head), 'positives', 'negatives', 'detection rate', 'false accepts / clip', 'false accepts / hour', 'ROC AUC'];
  const rows = (model: string, condition: string, cells: string[], wake: WakeWordMetrics[] | undefined) =>
    (wake ?? []).map((w) => `<tr><th scope="row">${escapeHtml(model)}</th>${cell(w.head)}${cell(condition)}${cells.join('')}${cell(String(w.positives))}${cell(String(w.negatives))}${[w.detectionRate, w.falseAcceptsPerClip, w.falseAcceptsPerHour, w.auc].map((e) => cell(formatEstimate(e))).join('')}</tr>`);
  const body = [
    ...results.clean.flatMap((c) => rows(c.model, 'clean', varying.map(() => cell('')), c.wakeword)),
    ...points.flatMap((p) => rows(p.model, 'degraded', varying.map((c) => cell(c.value(p))), p.wakeword)),
  ];
  const { threshold } = results.spec.wakeword;
  const hours = results.clean[0]?.wakeword?.[0]?.negativeHours;
  return `<section><h2>Wake words</h2>
<p class="note">Each head on its positive clips (the folder named after it) and on the negatives (the other folders${hours === undefined ? '' : `: ${(hours * 60).toFixed(1)} minutes of audio`}), clip score = the head's highest score over the clip's 80 ms windows. Detection rate: positive clips whose score reaches the threshold (${threshold}). False accepts: upward crossings of the threshold on negative clips, per clip and per hour of negative audio. ROC AUC: the chance that a positive clip outscores a negative one. Each with its 95% bootstrap interval over seeds and clips; clean: the clips levelled to -14 dBFS, dry, no added noise.</p>
<div class="scroll"><table class="wakeword"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table></div></section>`;
}

const metric = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function roomRow(r: RoomResult): string {
  const rt60 = r.rt60S === null ? '–' : `${r.rt60S.toFixed(2)} (${r.rt60Method})`;
  const cells = [roomLabel(r.room), r.kind, `${r.channels} (${r.layout})`, metric(r.t20S, 2), metric(r.t30S, 2), rt60, metric(r.drrDb, 1), metric(r.c50Db, 1)].map((t) => cell(t));
  return `<tr>${cells.join('')}<td class="wrap">${escapeHtml(r.description)}<br><span class="muted">measured on ${escapeHtml(r.measuredOn)}</span></td></tr>`;
}

/** The rooms of the grid with their acoustics; absent from results written before rooms were measured. */
function roomsTable(results: SweepResults): string {
  const rooms = results.rooms ?? [];
  if (rooms.length === 0) return '';
  const head = ['room', 'kind', 'channels', 'T20 (s)', 'T30 (s)', 'RT60, noise-compensated (s)', 'DRR (dB)', 'C50 (dB)', 'what it is'];
  return `<section><h2>Rooms</h2>
<p class="note">${escapeHtml(roomAxisTitle(rooms.map((r) => r.room)) === 'RT60 (s)' ? 'Every room is simulated (or dry).' : 'Simulated rooms by RT60 and IRs of the RIR bank by name.')} Measured at 16 kHz above 50 Hz, energies summed over channels. T20, T30: Schroeder backward integration from the IR's end, no noise compensation (right for simulated, noiseless IRs). RT60, noise-compensated: the noise floor subtracted before the decay fit (T30, or T20 when the IR has too little dynamic range), the robust figure for measured IRs with a noise floor. DRR: direct sound (±2.5 ms around the strongest sample) over the rest; C50: the first 50 ms over the rest. A simulated room is measured on one representative source IR; a bank IR plays every cell of its room as it is (one source path, whatever the azimuth).</p>
<div class="scroll"><table class="rooms"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${rooms.map(roomRow).join('\n')}</tbody></table></div></section>`;
}

function figureHtml(f: Figure): string {
  const title = `<h3>${escapeHtml(f.title)}</h3>`;
  if ('skipped' in f) return `<figure id="fig-${f.id}">${title}<p class="note">${escapeHtml(f.skipped)}</p></figure>`;
  return `<figure id="fig-${f.id}">${title}<div class="scroll">${f.svg}</div><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`;
}

const css = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222; background: #fff; margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; } h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; } dt { font-weight: 600; color: #555; } dd { margin: 0; }
dd ul { margin: 0; padding-left: 1.1rem; } .axes span { color: #555; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f4f4f4; padding: 0 .2rem; border-radius: 3px; }
.warning { background: #fff4e0; border: 1px solid #f0b45a; border-radius: 4px; padding: .5rem .75rem; }
.bad { color: #b3261e; } .muted { color: #666; font-size: 12px; } .note { color: #555; font-size: 13px; max-width: 75rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .55rem; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; white-space: nowrap; }
thead th { background: #f6f6f6; border-bottom: 1px solid #ccc; } tbody tr:nth-child(even) { background: #fafafa; }
tbody th { font-weight: 600; } .summary td:last-child, td.wrap { white-space: normal; min-width: 16rem; }
figure { margin: 0 0 1.5rem; } figcaption { color: #555; font-size: 13px; max-width: 75rem; margin-top: .3rem; }
svg { max-width: 100%; height: auto; }
`;

/** The whole page. Async because vega renders its SVG asynchronously. */
export async function renderReport(results: SweepResults): Promise<string> {
  const models = orderedModels(results);
  const figures = await renderFigures(results);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>earshot sweep: ${escapeHtml(models.join(', '))}</title>
<style>${css}</style>
</head>
<body>
${header(results)}
${summaryTable(results, models)}
${wakeWordTable(results, models)}
${roomsTable(results)}
<section><h2>Figures</h2>
${figures.map(figureHtml).join('\n')}
</section>
${pointsTable(results, models)}
</body>
</html>
`;
}
