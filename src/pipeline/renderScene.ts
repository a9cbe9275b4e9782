import type { Observable, OperatorFunction } from '../rxjs.ts';
import { Errors } from '../errors.ts';
import type { PreparedScene } from '../scene/prepare.ts';
import { StreamingScene, type StreamingSceneOptions } from '../scene/streamingScene.ts';
import { operate } from './operate.ts';
import type { SceneChunk, SourceChunk } from './types.ts';

/** A prepared scene and the condition version it renders. */
export interface VersionedScene {
  scene: PreparedScene;
  version: number;
}

/**
 * Render source chunks (mono, at the scene's rate) into the scene held by
 * `scenes$` (a BehaviorSubject in a live stream): its first value builds a
 * {@link StreamingScene}; each later one is crossfaded in from the next chunk
 * (see StreamingScene.setScene), and chunks carry the version playing at
 * their end. The streaming scene's convolvers are freed on teardown.
 *
 * ```
 * scenes$: v0--------v1-------
 * source:  --a--b--c----d--e--|
 * result:  --A--B--C----D--E--|   (D, E: conditionVersion 1, crossfaded in from D's first sample)
 * ```
 */
export function renderScene(scenes$: Observable<VersionedScene>, opts: Partial<StreamingSceneOptions> = {}): OperatorFunction<SourceChunk, SceneChunk> {
  return operate<SourceChunk, SceneChunk>('renderScene', (source, { sub, observe }) => {
    let live: StreamingScene | null = null;
    let at = 0;
    const scenes = scenes$.subscribe(
      observe({
        next: ({ scene, version }) => {
          if (live) live.setScene(scene, version);
          else live = new StreamingScene(scene, opts, version);
        },
        complete: () => undefined,
      }),
    );
    const chunks = source.subscribe(
      observe({
        next: (chunk) => {
          if (!live || chunk.sampleRateHz !== live.sampleRateHz) {
            throw new Errors.INVALID_OPTION(live ? `renderScene: a chunk at ${chunk.sampleRateHz} Hz reached a scene at ${live.sampleRateHz} Hz; resample first` : 'renderScene: audio arrived before any scene');
          }
          const { clean, degraded } = live.process(chunk.channels[0]);
          const startSample = at;
          at += clean.length;
          sub.next({ startSample, sampleRateHz: chunk.sampleRateHz, capturedAtMs: chunk.capturedAtMs, conditionVersion: live.tag, clean, degraded });
        },
      }),
    );
    return () => {
      chunks.unsubscribe();
      scenes.unsubscribe();
      live?.dispose();
    };
  });
}
