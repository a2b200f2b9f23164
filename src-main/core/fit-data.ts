/**
 * A run's settings fitted to its data: the image size, channels and classes come from the images
 * unless the user set them, and pixels-per-unit follows the image size so that a location of +-1
 * still reaches the edges of an image of another size than the preset's.
 */
import { ConfigError, IMAGE_SIZE, imageSizeOf, validateConfig, type RamConfig } from './config';

/** What a run's data looks like: square source images of `imageSize`, `channels`, `classes` labels. */
export interface DataShape {
  imageSize: number;
  channels: number;
  classes: number;
}

/** `given`: the settings the user chose (the command line's flags, the form's edits); the rest follow the data. */
export function fitConfigToData(config: RamConfig, data: DataShape, given: ReadonlySet<string>): RamConfig {
  if (given.has('channels') && config.channels !== data.channels) {
    throw new ConfigError(`channels ${config.channels} does not match the data's ${data.channels} (${data.channels === 1 ? 'grey' : 'colour'}); import the images with --channels ${config.channels}`, [
      { field: 'channels', message: `the data has ${data.channels} channel${data.channels === 1 ? '' : 's'}` },
    ]);
  }
  const canvas = IMAGE_SIZE[config.task];
  const imageSize = typeof config.imageSize === 'number' ? config.imageSize : config.task === 'centered' ? data.imageSize : canvas;
  if (config.task === 'centered' && imageSize !== data.imageSize) {
    throw new ConfigError(`imageSize ${imageSize}: centered takes the images as they are (${data.imageSize}x${data.imageSize}); import them with --image-size ${imageSize} to resize`, [
      { field: 'imageSize', message: `the data's images are ${data.imageSize}x${data.imageSize}` },
    ]);
  }
  if (imageSize < data.imageSize) {
    throw new ConfigError(`${config.task} places ${data.imageSize}x${data.imageSize} images in a ${imageSize}x${imageSize} canvas, which is too small: set imageSize to ${data.imageSize} or more`, [
      { field: 'imageSize', message: `at least ${data.imageSize} for this data` },
    ]);
  }
  if (given.has('classes') && config.classes < data.classes) {
    throw new ConfigError(`classes = ${config.classes}, but the data has ${data.classes} classes`, [{ field: 'classes', message: `the data has ${data.classes} classes` }]);
  }
  const classes = given.has('classes') ? config.classes : data.classes;
  const reference = imageSizeOf({ task: config.task });
  const unitPixels = given.has('unitPixels') || imageSize === reference ? config.unitPixels : Math.round((config.unitPixels * imageSize * 100) / reference) / 100;
  return validateConfig({ ...config, imageSize, channels: data.channels, classes, unitPixels });
}
