/**
 * A vega-lite figure rendered to static SVG (vega, no network, no DOM), for
 * pages that must open anywhere.
 */
import type * as vega from 'vega';
import type * as vl from 'vega-lite';

const fontStack = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const vlConfig: vl.Config = {
  font: fontStack,
  background: 'white',
  // Static figures with captions: per-mark ARIA labels would only bloat the page.
  aria: false,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 10, titleFontSize: 11, gridColor: '#eee' },
  header: { labelFontSize: 11, titleFontSize: 11 },
  // Opaque swatches: the legend would otherwise take the faint look of the interval bands.
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 240, symbolOpacity: 1 },
};

/** Every resource request fails: the figures are built from inline data only and must never reach a network. */
const offlineLoader: vega.Loader = {
  load: (uri) => Promise.reject(new Error(`report figures load nothing (asked for ${uri})`)),
  sanitize: (uri) => Promise.reject(new Error(`report figures load nothing (asked for ${uri})`)),
  http: (uri) => Promise.reject(new Error(`report figures load nothing (asked for ${uri})`)),
  file: (uri) => Promise.reject(new Error(`report figures load nothing (asked for ${uri})`)),
};

/**
 * Vega numbers clip paths and gradients with a process-wide counter; prefixing
 * them per figure keeps ids unique within the page whatever else rendered before.
 */
function scopeIds(svg: string, prefix: string): string {
  return svg.replace(/(id="|url\(#|href="#)(clip|gradient_)/g, `$1${prefix}-$2`);
}

/** The SVG of a vega-lite spec; `idPrefix` keeps its internal ids apart from other figures' on one page. */
export async function toSvg(spec: vl.TopLevelSpec, idPrefix: string): Promise<string> {
  // Loaded with the first figure: vega and vega-lite take most of a second to import.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec, { config: vlConfig }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader, logLevel: vega.Error });
  try {
    return scopeIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}
