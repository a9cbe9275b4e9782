import { api, type Clip, type ModelInfo, type NoiseInfo, type ProbeInfo, type RirInfo } from './api.ts';

/** A model as GET /api/models describes it, or only its id (from `welcome`) when that request failed. */
export type CatalogModel = Pick<ModelInfo, 'id'> & Partial<ModelInfo>;
/** What the server offers: models, probes, clips and the two banks. */
export interface Catalog { models: CatalogModel[]; probes: ProbeInfo[]; clips: Clip[]; rirs: RirInfo[]; noises: NoiseInfo[] }

/** The server's catalog, loaded over REST; errors go to `fail` (a toast), and what failed stays empty. */
export class CatalogStore {
  value = $state.raw<Catalog>({ models: [], probes: [], clips: [], rirs: [], noises: [] });

  constructor(private readonly fail: (err: unknown) => void) {}

  /** Load everything; `modelIds` (from `welcome`) stand in for the models when GET /api/models fails. */
  async load(modelIds: string[]): Promise<void> {
    const tries = await Promise.allSettled([api.models(), api.probes(), api.clips(), api.rirs(), api.noises()]);
    const [models, probes, clips, rirs, noises] = tries.map((t) => (t.status === 'fulfilled' ? t.value : null));
    const failed = tries.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (failed) this.fail(failed.reason);
    this.value = {
      models: (models as ModelInfo[] | null) ?? modelIds.map((id) => ({ id })),
      probes: (probes as ProbeInfo[] | null) ?? [],
      clips: (clips as Clip[] | null) ?? [],
      rirs: (rirs as RirInfo[] | null) ?? [],
      noises: (noises as NoiseInfo[] | null) ?? [],
    };
  }

  /** The ids of `welcome`, until the catalog has models of its own. */
  welcome(modelIds: string[]): void {
    if (this.value.models.length === 0) this.value = { ...this.value, models: modelIds.map((id) => ({ id })) };
  }

  /** Upload a clip; it joins the clips (replacing one of the same path). Null when the server refused it. */
  async upload(file: File): Promise<Clip | null> {
    try {
      const clip = await api.upload(file);
      this.value = { ...this.value, clips: [...this.value.clips.filter((c) => c.path !== clip.path), clip] };
      return clip;
    } catch (err) {
      this.fail(err);
      return null;
    }
  }

  /** A clip's display name: an upload's original file name rather than its server id. */
  clipName(path: string): string {
    const clip = this.value.clips.find((c) => c.path === path || c.id === path);
    return clip?.name ?? path.split('/').at(-1) ?? path;
  }
}
