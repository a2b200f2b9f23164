/** Versions recorded with every run, so a result can be traced to the code that made it. */
import * as tf from '@tensorflow/tfjs';

export function versions(backend: string): Record<string, string> {
  return {
    saccade: '0.1.0',
    tfjs: tf.version.tfjs,
    node: process.versions.node,
    ...(process.versions.electron ? { electron: process.versions.electron } : {}),
    backend,
    platform: `${process.platform}-${process.arch}`,
  };
}
