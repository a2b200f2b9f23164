/** SamplePages, in this thread: the page logic the datasets service's worker runs. */
import { describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { SAMPLE_SEED, SamplePages } from '../../src-main/data/sample-pages';
import { renderTaskUint8, TaskGenerator, taskSpec } from '../../src-main/data/tasks';

describe('SamplePages', () => {
  const pages = new SamplePages();

  it('renders training pages on SAMPLE_SEED, the same images however they are paged', async () => {
    const { train } = await loadBundledMnist();
    const a = await pages.page({ kind: 'task', task: 'translated' }, { dataset: 'translated', split: 'train', offset: 0, limit: 4 });
    const b = await pages.page({ kind: 'task', task: 'translated' }, { dataset: 'translated', split: 'train', offset: 2, limit: 2 });
    expect(a).toMatchObject({ dataset: 'translated', split: 'train', imageSize: 60, total: 60000, offset: 0 });
    expect(b.pixels).toEqual(a.pixels.slice(2 * 3600));
    expect(a.pixels.slice(3600, 7200)).toEqual(renderTaskUint8(new TaskGenerator(taskSpec('translated'), train, SAMPLE_SEED), 1));
  });

  it('a page past the end is empty; a label filter pages through that label only', async () => {
    const end = await pages.page({ kind: 'task', task: 'centered' }, { dataset: 'centered', split: 'test', offset: 9999, limit: 5 });
    expect(end.items).toHaveLength(1);
    const threes = await pages.page({ kind: 'task', task: 'centered' }, { dataset: 'centered', split: 'test', offset: 0, limit: 7, label: 3 });
    expect(threes.items.every((i) => i.label === 3)).toBe(true);
    expect(threes.pixels.length).toBe(7 * 784);
  });
});
