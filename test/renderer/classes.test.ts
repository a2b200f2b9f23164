/** Class names where labels show, and the Datasets view's facts about an import. */
import { describe, expect, it } from 'vitest';
import { classCounts, className, classList, classTitle, imageKind, importNotes, namesAreNumbers, splitText } from '../../src-renderer/src/lib/classes';

describe('class names', () => {
  it('names a label by the data’s names, else by its number', () => {
    expect(className(['cat', 'dog'], 1)).toBe('dog');
    expect(className(['cat', 'dog'], 2)).toBe('2');
    expect(className(undefined, 7)).toBe('7');
    expect(className(['cat', ''], 1)).toBe('1');
  });

  it('titles named classes with their number too, numbered ones alone', () => {
    expect(classTitle(['cat', 'dog'], 1)).toBe('1 · dog');
    expect(classTitle(['0', '1'], 1)).toBe('1');
    expect(classTitle(undefined, 4)).toBe('4');
    expect(namesAreNumbers(['0', '1', '2'])).toBe(true);
    expect(namesAreNumbers(['0', 'b'])).toBe(false);
    expect(namesAreNumbers(undefined)).toBe(true);
  });

  it('lists every class, as many as the count or the names', () => {
    expect(classList(3, ['a', 'b'])).toEqual([
      { label: 0, name: 'a' },
      { label: 1, name: 'b' },
      { label: 2, name: '2' },
    ]);
    expect(classList(1, ['a', 'b']).map((c) => c.name)).toEqual(['a', 'b']);
    expect(classList(0)).toEqual([]);
  });

  it('counts per class from perClass, zeros where missing', () => {
    expect(classCounts({ classes: 2, classNames: ['cat', 'dog'], perClass: { train: [9, 8], test: [1] } })).toEqual([
      { label: 0, name: 'cat', train: 9, test: 1 },
      { label: 1, name: 'dog', train: 8, test: 0 },
    ]);
    expect(classCounts({ classes: 2, classNames: [] })).toEqual([
      { label: 0, name: '0', train: 0, test: 0 },
      { label: 1, name: '1', train: 0, test: 0 },
    ]);
  });
});

describe('import facts', () => {
  it('says the image kind, the split and what was left out', () => {
    expect(imageKind({ imageSize: 32, channels: 3 })).toBe('32×32 colour');
    expect(imageKind({ imageSize: 28, channels: 1 })).toBe('28×28 grey');
    expect(splitText('given')).toMatch(/given/);
    expect(splitText('held-out')).toMatch(/10% of each class/);
    expect(splitText(undefined)).toBeUndefined();
    expect(importNotes({ skipped: 2, ignored: 1, resized: '40x30, 64x64 to 32x32' })).toEqual(['2 bad images skipped', '1 file ignored (not images)', 'resized: 40x30, 64x64 to 32x32']);
    expect(importNotes({})).toEqual([]);
  });
});
