import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { csvColumns, writeOutputs } from '../../src/sweep/outputs.ts';
import { formatEstimate, renderReport } from '../../src/sweep/report.ts';
import type { PointResult, SweepResults } from '../../src/sweep/types.ts';
import { buildResults } from './helpers/results.ts';

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (field || row.length) endRow();
  return rows;
}

function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** Rows of the grid table as arrays of cell texts (tags stripped, entities decoded). */
function gridRows(html: string): string[][] {
  const table = html.slice(html.indexOf('<table class="points">'));
  const body = table.slice(table.indexOf('<tbody>'), table.indexOf('</tbody>'));
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return body
    .split('</tr>')
    .filter((r) => r.includes('<t'))
    .map((r) => r.split(/<\/t[dh]>/).slice(0, -1).map((c) => decode(c.replace(/<[^>]*>/g, '').trim())));
}

function figure(html: string, id: string): string {
  const start = html.indexOf(`<figure id="fig-${id}">`);
  expect(start, `figure ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const metricsOf = (p: PointResult) => [p.top1, p.macroF1, p.mAP, p.cosine, p.relative.top1, p.relative.macroF1, p.relative.mAP].map(formatEstimate);

describe('writeOutputs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earshot-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes results.json, results.csv and report.html, leaving no temp files', async () => {
    const out = join(dir, 'sweep');
    const paths = await writeOutputs(out, buildResults());
    expect(paths).toEqual({ json: join(out, 'results.json'), csv: join(out, 'results.csv'), html: join(out, 'report.html') });
    expect((await readdir(out)).sort()).toEqual(['report.html', 'results.csv', 'results.json']);
  });

  it('replaces earlier outputs whole', async () => {
    await writeFile(join(dir, 'results.json'), 'stale');
    const first = buildResults({ models: ['beats'] });
    await writeOutputs(dir, first);
    const second = buildResults({ models: ['clap'] });
    await writeOutputs(dir, second);
    expect(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))).toEqual(second);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).not.toContain('beats');
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'results.csv', 'results.json']);
  });

  it('round-trips results.json', async () => {
    const results = buildResults({ axes: { azimuthDeg: [0, 90], noise: ['babble', 'pink'] } });
    const { json } = await writeOutputs(dir, results);
    expect(JSON.parse(await readFile(json, 'utf8'))).toEqual(results);
  });

  it('writes one CSV row per clean reference, then one per grid point, with their values', async () => {
    const results = buildResults({ models: ['beats', 'clap, "large"'], axes: { snrDb: [-5, 'clean'], room: [0, 0.6, 'street'] } });
    const { csv } = await writeOutputs(dir, results);
    const text = await readFile(csv, 'utf8');
    expect(parseCsv(text)[0]).toEqual(csvColumns);
    const records = csvRecords(text);
    expect(records).toHaveLength(results.clean.length + results.points.length);

    const clean = records.filter((r) => r.condition === 'clean');
    expect(clean.map((r) => r.model)).toEqual(['beats', 'clap, "large"']);
    clean.forEach((r, i) => {
      const c = results.clean[i];
      expect(Number(r.top1)).toBeCloseTo(c.top1.mean, 5);
      expect(Number(r.map_hi)).toBeCloseTo(c.mAP.hi, 5);
      expect([r.snr_db, r.room, r.rt60_s, r.noise, r.seeds, r.room_kind, r.room_t20_s]).toEqual(['', '', '', '', '', '', '']);
      expect([r.cosine, r.rel_top1, r.rel_map_lo]).toEqual(['1', '1', '1']);
    });
    expect(records.slice(0, clean.length).every((r) => r.condition === 'clean')).toBe(true);

    const degraded = records.filter((r) => r.condition === 'degraded');
    for (const p of results.points) {
      const row = degraded.find((r) => r.model === p.model && r.snr_db === String(p.snrDb) && r.room === String(p.room));
      expect(row, `${p.model} ${p.snrDb} ${p.room}`).toBeDefined();
      const r = row as Record<string, string>;
      // The room by name, its RT60 when simulated, and its acoustics from results.rooms.
      const room = results.rooms.find((x) => x.room === p.room)!;
      expect(r.rt60_s).toBe(typeof p.room === 'number' ? String(p.room) : '');
      expect([r.room_kind, r.room_channels, r.room_rt60_method]).toEqual([room.kind, String(room.channels), room.rt60Method ?? '']);
      for (const [column, value] of [['room_t20_s', room.t20S], ['room_t30_s', room.t30S], ['room_rt60_s', room.rt60S], ['room_drr_db', room.drrDb], ['room_c50_db', room.c50Db]] as const) {
        expect(r[column]).toBe(value === null ? '' : String(Number(value.toPrecision(6))));
      }
      expect([Number(r.azimuth_deg), r.noise, Number(r.noise_sources), Number(r.seeds), Number(r.clips)]).toEqual([p.azimuthDeg, p.noise, p.noiseSources, p.seeds, p.clips]);
      const expected: [string, number][] = [
        ['top1', p.top1.mean], ['top1_lo', p.top1.lo], ['macro_f1_hi', p.macroF1.hi], ['map', p.mAP.mean],
        ['cosine_lo', p.cosine.lo], ['rel_top1', p.relative.top1.mean], ['rel_macro_f1', p.relative.macroF1.mean], ['rel_map_hi', p.relative.mAP.hi],
      ];
      for (const [column, value] of expected) {
        expect(Number(r[column])).toBeCloseTo(value, 5);
        // 6 significant digits, not the full float.
        expect(r[column].replace(/^-?0\.0*/, '').replace('.', '').length).toBeLessThanOrEqual(6);
      }
    }
  });

  it('names the folder it cannot write', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, '');
    await expect(writeOutputs(join(blocker, 'out'), buildResults())).rejects.toMatchObject({ code: 'EARSHOT_WRITE_FAILED', message: expect.stringContaining(blocker) });
  });
});

describe('renderReport', () => {
  const fullGrid = buildResults({
    models: ['beats', 'clap', 'whisper'],
    axes: { snrDb: [-5, 0, 5, 10, 20, 'clean'], room: [0, 0.3, 0.6, 1], azimuthDeg: [0, 90] },
    seeds: 3,
  });

  // How fast: test/bench/outputs.bench.ts.
  it('renders a 3-model, 6-SNR, 4-RT60 grid with the four figures', async () => {
    const html = await renderReport(fullGrid);
    expect(count(html, '<svg')).toBe(4);
    for (const id of ['snr', 'rt60', 'heatmap', 'cosine']) expect(figure(html, id)).toContain('<svg');
    // 'clean' sits on the SNR axis as a labelled position.
    expect(figure(html, 'snr')).toMatch(/>clean<\/text>/);
    // The legend names every model.
    for (const model of fullGrid.spec.models) expect(figure(html, 'snr')).toContain(`>${model}</text>`);
    expect(figure(html, 'snr')).toContain('averaged over azimuth (0°, 90°)');
    expect(figure(html, 'rt60')).toContain('averaged over SNR (-5 dB, 0 dB, 5 dB, 10 dB, 20 dB, clean) and azimuth (0°, 90°)');
  });

  it('lists every model in the summary and every grid point with its numbers', async () => {
    const html = await renderReport(fullGrid);
    const summary = html.slice(html.indexOf('<table class="summary">'), html.indexOf('</table>', html.indexOf('<table class="summary">')));
    for (const c of fullGrid.clean) expect(summary).toContain(`${formatEstimate(c.top1)}</td>`);
    expect(summary).toContain('>whisper</th>');

    const rows = gridRows(html);
    expect(rows).toHaveLength(fullGrid.points.length);
    for (const p of fullGrid.points) {
      const room = p.room === 0 ? 'dry' : String(p.room);
      const expected = [p.model, String(p.snrDb), room, String(p.azimuthDeg), '3', String(p.clips), ...metricsOf(p)];
      expect(rows).toContainEqual(expected);
    }
    // Axes with one value are named once instead of filling a column.
    expect(html).toContain('not repeated: noise babble, noise sources 1');
  });

  it('reports rooms by name beside RT60s: a table of their acoustics, a figure per room, rooms on the heatmap', async () => {
    const results = buildResults({ axes: { snrDb: [0, 10], room: [0, 0.6, 'street', 'my-hall'] } });
    const html = await renderReport(results);
    const table = html.slice(html.indexOf('<table class="rooms">'), html.indexOf('</table>', html.indexOf('<table class="rooms">')));
    const rows = table.split('</tr>').slice(1, -1).map((r) => r.split('</td>').slice(0, -1).map((c) => c.replace(/<[^>]*>/g, '').trim()));
    expect(rows.map((r) => r.slice(0, 8))).toEqual([
      ['dry', 'dry', '1 (mono)', '–', '–', '–', '–', '–'],
      ['0.6', 'simulated', '1 (mono)', '0.57', '0.58', '0.58 (T30)', '-5.2', '4.0'],
      ['street', 'measured', '2 (stereo)', '1.23', '1.10', '1.20 (T20)', '-6.5', '-1.3'],
      ['my-hall', 'measured', '2 (stereo)', '1.23', '1.10', '1.20 (T20)', '-6.5', '-1.3'],
    ]);
    // The RT60 figure keeps the simulated rooms; every room, IRs by name, has a place in the figure per room and on the heatmap.
    expect(count(html, '<svg')).toBe(5);
    expect(figure(html, 'rt60')).toContain('The IR rooms are in the figure per room.');
    for (const label of ['dry', '0.6', 'street', 'my-hall']) {
      expect(figure(html, 'rooms')).toContain(`>${label}</text>`);
      expect(figure(html, 'heatmap')).toContain(`>${label}</text>`);
    }
    expect(figure(html, 'heatmap')).toContain('>room (RT60 s or IR)</text>');
    expect(gridRows(html).filter((r) => r.includes('street'))).toHaveLength(results.points.filter((p) => p.room === 'street').length);
    // Only IR rooms: no RT60 figure to draw.
    const irsOnly = await renderReport(buildResults({ axes: { room: ['street', 'my-hall'] } }));
    expect(figure(irsOnly, 'rt60')).toContain('No RT60 value');
    expect(figure(irsOnly, 'rooms')).toContain('<svg');
  });

  it('is self-contained: no external resources, no scripts, no network', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const html = await renderReport(fullGrid);
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
    const withoutNamespaces = html.replace(/xmlns(:\w+)?="[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\ssrc=/i);
    expect(html.replace(/url\(#/g, '')).not.toContain('url(');
    // Several inline SVGs on one page must not share clip-path or gradient ids.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('escapes strings from the results in the page and in the figures', async () => {
    const evil = '<script>alert("x")</script> & co';
    const results = buildResults({ models: [evil, 'beats'], axes: { noise: ['<b>pink</b>', 'babble'] } });
    results.spec.data = '/data/<img src=x>';
    results.classes = ['yes', '<i>no</i>'];
    const html = await renderReport(results);
    expect(html).not.toMatch(/<script|<img|<b>|<i>/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(figure(html, 'heatmap')).toContain('&lt;script&gt;');
    expect(gridRows(html).filter((r) => r[0] === evil)).toHaveLength(results.points.filter((p) => p.model === evil).length);
  });

  it('says when the sweep is incomplete, and which points rest on fewer seeds', async () => {
    // Half the SNR=-5 points unfinished, the dry SNR=0 points on one seed of two.
    const results = buildResults({
      seeds: 2,
      seedsDone: (p) => (p.snrDb === -5 && p.room !== 0 ? 0 : p.snrDb === 0 && p.room === 0 ? 1 : 2),
      axes: { snrDb: [-5, 0, 10], room: [0, 0.6] },
    });
    expect(results.cellsDone).toBeLessThan(results.cellsTotal);
    const html = await renderReport(results);
    expect(html).toContain('Incomplete sweep');
    expect(html).toContain(`${results.cellsDone} of ${results.cellsTotal} cells done`);
    expect(html).toContain('2 of 12 grid points have no finished cell yet');
    expect(gridRows(html).filter((r) => r.includes('1 of 2'))).toHaveLength(2);

    const complete = await renderReport(buildResults());
    expect(complete).not.toContain('Incomplete');
  });

  it('handles a sweep with nothing finished', async () => {
    const html = await renderReport(buildResults({ seedsDone: () => 0 }));
    expect(html).toContain('Incomplete sweep');
    expect(count(html, '<svg')).toBe(0);
    expect(html).toContain('No grid point has finished yet.');
  });

  it('simplifies figures for axes with a single value', async () => {
    const oneRoom = await renderReport(buildResults({ axes: { room: [0.6] } }));
    expect(count(oneRoom, '<svg')).toBe(3);
    expect(figure(oneRoom, 'rt60')).toContain('Only one RT60 value (0.6 s)');

    const oneSnr = await renderReport(buildResults({ axes: { snrDb: [10] } }));
    expect(count(oneSnr, '<svg')).toBe(2);
    expect(figure(oneSnr, 'snr')).toContain('Only one SNR value (10 dB)');
    expect(figure(oneSnr, 'cosine')).toContain('Only one SNR value');

    const onePoint = buildResults({ models: ['beats'], axes: { snrDb: ['clean'], room: [0] }, seeds: 1 });
    const html = await renderReport(onePoint);
    expect(count(html, '<svg')).toBe(0);
    expect(figure(html, 'heatmap')).toContain('SNR and room each have one value');
    expect(gridRows(html)).toEqual([['beats', '1', String(onePoint.points[0].clips), ...metricsOf(onePoint.points[0])]]);
  });

  it('shows values the sweep could not compute as n/a, also after a JSON round trip', async () => {
    const results = buildResults({ models: ['beats'] });
    results.points[0].mAP = { mean: NaN, lo: NaN, hi: NaN };
    const parsed = JSON.parse(JSON.stringify(results)) as SweepResults;
    const html = await renderReport(parsed);
    expect(gridRows(html)[0]).toContain('n/a [n/a, n/a]');
    expect(count(html, '<svg')).toBe(4);
  });
});
