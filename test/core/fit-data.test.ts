import { describe, expect, it } from 'vitest';
import { ConfigError, imageSizeOf, presetConfig, validateConfig } from '../../src-main/core/config';
import { fitConfigToData } from '../../src-main/core/fit-data';
import { paramShapes } from '../../src-main/core/params';

const none = new Set<string>();

describe('fitConfigToData', () => {
  it('leaves the bundled MNIST shape as the presets have it', () => {
    const config = presetConfig('centered');
    const fitted = fitConfigToData(config, { imageSize: 28, channels: 1, classes: 10 }, none);
    expect(fitted).toEqual({ ...config, imageSize: 28 });
    const translated = fitConfigToData(presetConfig('translated'), { imageSize: 28, channels: 1, classes: 10 }, none);
    expect(translated.imageSize).toBe(60);
    expect(translated.unitPixels).toBe(26);
  });

  it("takes a user's images as they are: their size, channels and classes, pixels-per-unit scaled", () => {
    const fitted = fitConfigToData(presetConfig('centered'), { imageSize: 64, channels: 3, classes: 3 }, none);
    expect(fitted.imageSize).toBe(64);
    expect(fitted.channels).toBe(3);
    expect(fitted.classes).toBe(3);
    // 12 px a unit on 28 px -> 12 * 64 / 28 = 27.43 on 64 px: a location of +-1 still reaches as far.
    expect(fitted.unitPixels).toBe(27.43);
    expect(imageSizeOf(fitted)).toBe(64);
    // The glimpse network's patch layer grows with the channels: 1 scale x 3 channels x 8 x 8.
    expect(paramShapes(fitted).glimpsePatchW).toEqual([3 * 64, 128]);
  });

  it('keeps what the user set: unitPixels and classes', () => {
    const config = presetConfig('centered', { unitPixels: 9, classes: 12 });
    const fitted = fitConfigToData(config, { imageSize: 40, channels: 1, classes: 5 }, new Set(['unitPixels', 'classes']));
    expect(fitted.unitPixels).toBe(9);
    expect(fitted.classes).toBe(12);
  });

  it('refuses what cannot work, naming the setting', () => {
    const fit = (overrides: Record<string, unknown>, given: string[], data = { imageSize: 32, channels: 3, classes: 4 }) => () =>
      fitConfigToData(presetConfig('centered', overrides), data, new Set(given));
    expect(fit({ channels: 1 }, ['channels'])).toThrow(/channels 1 does not match the data's 3 \(colour\); import the images with --channels 1/);
    expect(fit({ classes: 3 }, ['classes'])).toThrow('classes = 3, but the data has 4 classes');
    expect(fit({ imageSize: 28 }, ['imageSize'])).toThrow(/imageSize 28: centered takes the images as they are \(32x32\); import them with --image-size 28/);
    const tooSmall = () => fitConfigToData(presetConfig('translated'), { imageSize: 80, channels: 1, classes: 10 }, none);
    expect(tooSmall).toThrow(/translated places 80x80 images in a 60x60 canvas, which is too small: set imageSize to 80 or more/);
    try {
      fit({ classes: 3 }, ['classes'])();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems[0]!.field).toBe('classes');
    }
  });

  it('checks the glimpse against the fitted image size', () => {
    const config = presetConfig('centered', { glimpseSize: 20 });
    expect(() => fitConfigToData(config, { imageSize: 16, channels: 1, classes: 2 }, none)).toThrow('glimpseSize 20 is larger than the 16x16 image');
  });
});

describe('imageSize and channels settings', () => {
  it("accept 'auto' or a whole number, and 1 or 3", () => {
    expect(validateConfig({ imageSize: '48' }).imageSize).toBe(48);
    expect(() => validateConfig({ imageSize: 2 })).toThrow("imageSize must be 'auto' or a whole number from 4 to 1024, not '2'");
    expect(() => validateConfig({ channels: 2 })).toThrow("channels must be 1 (grey) or 3 (colour), not '2'");
    // A run recorded before these settings existed reads as grey at its task's size.
    const old = validateConfig({ task: 'translated' });
    expect(old.channels).toBe(1);
    expect(imageSizeOf(old)).toBe(60);
  });
});
