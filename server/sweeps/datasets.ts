import { Errors } from '../../src/errors.ts';
import { basename } from 'node:path';
import { readLabelledData } from '../../src/probes/dataset.ts';
import type { Dataset } from './schemas.ts';

/**
 * The labelled data folders sweeps may read (`sweepDataDirs`), offered by
 * folder name. A client names one; the name is looked up here and never
 * joined into a path, so no request can reach another folder.
 */
export class Datasets {
  private readonly byName: Map<string, string>;

  constructor(dirs: string[]) {
    this.byName = new Map(dirs.map((dir) => [basename(dir), dir]));
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** The folder of a data set (the first one when no name is given); INVALID_REQUEST names the offered ones. */
  folder(name: string | undefined): { name: string; dir: string } {
    const chosen = name ?? this.names[0];
    const dir = chosen === undefined ? undefined : this.byName.get(chosen);
    if (chosen === undefined || dir === undefined) {
      const offered = this.names.length ? `this server offers ${this.names.map((n) => `"${n}"`).join(', ')} (GET /api/datasets)` : 'this server offers none (start it with sweep data folders)';
      throw new Errors.INVALID_REQUEST(`data ${JSON.stringify(name ?? '(default)').slice(0, 120)} is not a data set of this server; ${offered}. Name one, or leave data out for the default`);
    }
    return { name: chosen, dir };
  }

  /** Each data set's classes and clip count; folders that cannot be read are left out (and reported through `warn`). */
  async list(warn: (err: unknown, name: string) => void): Promise<Dataset[]> {
    const rows: Dataset[] = [];
    for (const [name, dir] of this.byName) {
      try {
        const data = await readLabelledData(dir);
        rows.push({ name, classes: data.classes, clips: data.files.length });
      } catch (err) {
        warn(err, name);
      }
    }
    return rows;
  }
}
