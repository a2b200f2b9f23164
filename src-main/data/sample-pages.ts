/**
 * Pages of dataset samples for the Datasets view: bundled tasks rendered as the models see them
 * (the test split on TEST_SEED), imports as stored in their IDX folder (the dataset cache: grey,
 * or colour with RGB interleaved). Decoded sets, generators and label indexes are kept, so the
 * next page only renders. Runs in the datasets service's worker.
 */
import type { SamplePage, SamplePageRequest } from '../shared/api';
import { TEST_SEED } from '../trainer/run-data';
import { loadBundledMnist, loadIdxFolder, type LabeledImages } from './dataset-files';
import { DataError } from './idx';
import { renderTaskUint8, TaskGenerator, taskSpec, type TaskName } from './tasks';

/** Training images shown in the dataset browser are rendered on this seed (any fixed one would do). */
export const SAMPLE_SEED = 1;

/** Where a page's images come from: a bundled task, or an imported folder. */
export type SampleSourceSpec = { kind: 'task'; task: TaskName } | { kind: 'import'; folder: string };

type SampleSource = { images: LabeledImages; render: (i: number) => Uint8Array; imageSize: number; channels: number };
type Split = SamplePageRequest['split'];

export class SamplePages {
  private readonly sets = new Map<string, Promise<{ train: LabeledImages; test: LabeledImages }>>();
  private readonly sources = new Map<string, SampleSource>();
  private readonly labelIndex = new Map<string, number[][]>();

  async page(spec: SampleSourceSpec, request: SamplePageRequest): Promise<SamplePage> {
    const { dataset, split, offset, limit } = request;
    const key = `${spec.kind === 'task' ? spec.task : spec.folder}/${split}`;
    const source = await this.source(key, spec, split);
    let indices: ArrayLike<number>;
    let total: number;
    if (request.label === undefined) {
      total = source.images.count;
      indices = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i);
    } else {
      const matching = this.indicesByLabel(key, source.images)[request.label] ?? [];
      total = matching.length;
      indices = matching.slice(offset, offset + limit);
    }
    const px = source.imageSize * source.imageSize * source.channels;
    const pixels = new Uint8Array(indices.length * px);
    const items: SamplePage['items'] = [];
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      pixels.set(source.render(index), i * px);
      items.push({ index, label: source.images.labels[index] });
    }
    return { dataset, split, imageSize: source.imageSize, channels: source.channels, total, offset, items, pixels };
  }

  private async source(key: string, spec: SampleSourceSpec, split: Split): Promise<SampleSource> {
    const cached = this.sources.get(key);
    if (cached) return cached;
    let source: SampleSource;
    if (spec.kind === 'import') {
      const images = (await this.load(spec.folder))[split];
      // Stored as the model reads them: square, channels interleaved, nothing to render.
      const px = images.width * images.height * images.channels;
      source = { images, imageSize: images.width, channels: images.channels, render: (i) => images.images.subarray(i * px, (i + 1) * px) };
    } else {
      const task = taskSpec(spec.task);
      const images = (await loadBundledMnist())[split];
      const gen = new TaskGenerator(task, images, split === 'test' ? TEST_SEED : SAMPLE_SEED);
      source = { images, imageSize: task.imageSize, channels: gen.channels, render: (i) => renderTaskUint8(gen, i) };
    }
    this.sources.set(key, source);
    return source;
  }

  /** An imported folder's two splits, read once (a failed read is tried again next time). */
  private load(folder: string): Promise<{ train: LabeledImages; test: LabeledImages }> {
    let cached = this.sets.get(folder);
    if (!cached) {
      cached = loadIdxFolder(folder, 'both').then(({ train, test }) => {
        if (!train || !test) throw new DataError(`${folder}: needs both the train and t10k files`);
        return { train, test };
      });
      cached.catch(() => this.sets.delete(folder));
      this.sets.set(folder, cached);
    }
    return cached;
  }

  private indicesByLabel(key: string, images: LabeledImages): number[][] {
    let cached = this.labelIndex.get(key);
    if (!cached) {
      cached = [];
      for (let i = 0; i < images.count; i++) (cached[images.labels[i]] ??= []).push(i);
      this.labelIndex.set(key, cached);
    }
    return cached;
  }
}
