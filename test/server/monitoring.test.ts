import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileConfig, startServer, until, type TestServer } from './helpers.ts';

// The Prometheus rules and the Grafana dashboard in server/monitoring: each metric they
// query is one a live server's /metrics exports, and promtool accepts (and unit-tests) the rules.

const DIR = fileURLToPath(new URL('../../server/monitoring/', import.meta.url));
const RULES = join(DIR, 'earshot-alerts.yml');
const RULE_TESTS = join(DIR, 'earshot-alerts.test.yml');
const DASHBOARD = join(DIR, 'grafana-dashboard.json');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find(existsSync);
const UNDER_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
const PROBES = fileURLToPath(new URL('../../models/trained', import.meta.url));

if (!PROMTOOL && !UNDER_CI) console.warn('test/server/monitoring.test.ts: promtool is absent, so the rule checks are skipped (apt-get install prometheus; .ci/run installs it). Under CI (CI=1) they fail instead.');

interface Panel { title: string; targets?: { expr: string }[] }

/** Metric names in PromQL: identifiers followed by a selector, a range or the end of the expression, not functions or labels. */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  return [...withoutLabels.matchAll(/\b(earshot_[a-z0-9_]+)\b/g)].map((m) => m[1]);
}

function dashboardExprs(): string[] {
  const json = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { query: { query: string } }[] } };
  return [...json.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...json.templating.list.map((v) => v.query.query)];
}

function ruleExprs(): string[] {
  return [...readFileSync(RULES, 'utf8').matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]);
}

describe('server/monitoring: Prometheus rules and Grafana dashboard', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ probeDirs: [PROBES] });
  }, 60_000);
  afterAll(async () => server?.close());

  it('every metric the dashboard and the rules query is in a live server\'s /metrics', async () => {
    // A stream with a probe, so the per-stream gauges (probe agreement included) have series.
    const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig({ models: ['oww-speech-embedding'], probes: ['keywords'] }) });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    let text = '';
    await until(async () => {
      text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      return text.includes(`earshot_stream_probe_agreement{stream="${id}"`) && text.includes(`earshot_stream_cosine_mean{stream="${id}"`);
    }, 40_000, 'the stream\'s gauges in /metrics');
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const queried = new Set([...dashboardExprs(), ...ruleExprs()].flatMap(metricNames));
    expect(queried.size).toBeGreaterThan(5);
    for (const metric of queried) expect(exported, `${metric} is queried but not exported`).toContain(metric);
    for (const metric of ['earshot_stream_cosine_mean', 'earshot_stream_probe_agreement']) expect(queried).toContain(metric);
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` });
  }, 60_000);

  it('the Grafana dashboard is importable JSON: a Prometheus data-source input, unique panel ids, a query per panel', () => {
    const json = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { __inputs: { pluginId: string }[]; panels: (Panel & { id: number })[]; uid: string };
    expect(json.__inputs.map((i) => i.pluginId)).toEqual(['prometheus']);
    expect(new Set(json.panels.map((p) => p.id)).size).toBe(json.panels.length);
    for (const p of json.panels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
    expect(json.uid).toBe('earshot-live');
  });

  it.skipIf(!PROMTOOL && !UNDER_CI)('promtool checks the rules and runs their unit tests (alerts fire after 1 minute below the threshold)', async () => {
    if (!PROMTOOL) throw new Error('promtool is absent: install Debian\'s prometheus package (.ci/run does)');
    const run = (...args: string[]) => promisify(execFile)(PROMTOOL, args, { cwd: DIR });
    expect((await run('check', 'rules', RULES)).stdout).toMatch(/SUCCESS: 3 rules found/);
    expect((await run('test', 'rules', RULE_TESTS)).stdout).toMatch(/SUCCESS/);
  }, 60_000);
});
