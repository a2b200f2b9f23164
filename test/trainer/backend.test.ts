/**
 * Backend selection in a real process. Here @tensorflow/tfjs-node(-gpu) are not installed (they
 * are optional dependencies), so the native backends must fail with their real load error.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKENDS, BackendError, describeBackend, isBackendName, selectBackend } from '../../src-main/trainer/backend';
import { haveSwiftShader, swiftShaderEnv } from '../helpers/webgpu-env';

const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

async function backendError(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    return err as BackendError;
  }
  throw new Error('expected a BackendError');
}

describe('selectBackend', () => {
  it('knows the five backends, best first', () => {
    expect([...BACKENDS]).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(isBackendName('wasm')).toBe(true);
    expect(isBackendName('webgl')).toBe(false);
  });

  it('forces cpu and says so', async () => {
    const choice = await selectBackend('cpu');
    expect(choice).toEqual({ name: 'cpu', reason: 'forced with --backend', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(describeBackend(choice)).toBe('backend: cpu (forced with --backend)');
  });

  it('lists the valid names for an unknown backend', async () => {
    const err = await backendError(selectBackend('bogus'));
    expect(err.message).toBe("unknown backend 'bogus' (choose one of: tensorflow-gpu, webgpu, tensorflow, wasm, cpu)");
    // nothing changed
    expect(tf.getBackend()).toBe('cpu');
  });

  it.skipIf(nativeInstalled)('fails clearly, without falling back, when a forced tensorflow cannot load', async () => {
    const err = await backendError(selectBackend('tensorflow'));
    expect(err.message).toMatch(/^backend 'tensorflow' cannot load here: /);
    // the real load error, first line only
    expect(err.message).toContain("Cannot find module '@tensorflow/tfjs-node'");
    expect(err.message).not.toContain('\n');
    expect(tf.getBackend()).toBe('cpu');
  });

  it.skipIf(nativeInstalled || !haveSwiftShader)('auto picks wasm, reporting the skipped backends with their errors: webgpu has only a software adapter', async () => {
    const before = process.env['VK_ICD_FILENAMES'];
    Object.assign(process.env, swiftShaderEnv());
    let choice;
    try {
      choice = await selectBackend();
    } finally {
      if (before === undefined) delete process.env['VK_ICD_FILENAMES'];
      else process.env['VK_ICD_FILENAMES'] = before;
    }
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow']);
    expect(choice.skipped[0].error).toContain("Cannot find module '@tensorflow/tfjs-node-gpu'");
    expect(choice.skipped[1].error).toBe('only a software adapter here: SwiftShader driver 5.0.0');
    expect(choice.skipped[2].error).toContain("Cannot find module '@tensorflow/tfjs-node'");
    expect(choice.reason).toBe('best that loaded (skipped tensorflow-gpu, webgpu, tensorflow)');
    const text = describeBackend(choice).split('\n');
    expect(text[0]).toBe('backend: wasm (best that loaded (skipped tensorflow-gpu, webgpu, tensorflow))');
    expect(text[1]).toMatch(/^ {2}skipped tensorflow-gpu: Cannot find module '@tensorflow\/tfjs-node-gpu'/);
    expect(text[2]).toBe('  skipped webgpu: only a software adapter here: SwiftShader driver 5.0.0');
    expect(text[3]).toMatch(/^ {2}skipped tensorflow: Cannot find module '@tensorflow\/tfjs-node'/);
    // the wasm backend really computes
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), 3).dataSync())).toEqual([4, 5]);
  });

  it.skipIf(!haveSwiftShader)('forces webgpu on the software adapter, names the adapter, and computes', async () => {
    Object.assign(process.env, swiftShaderEnv());
    const choice = await selectBackend('webgpu');
    expect(choice.name).toBe('webgpu');
    expect(choice.adapter).toEqual({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', software: true });
    expect(describeBackend(choice)).toBe('backend: webgpu on google swiftshader (SwiftShader driver 5.0.0, software) (forced with --backend)');
    expect(tf.getBackend()).toBe('webgpu');
    const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
    expect(Array.from(await product.data())).toEqual([17, 39]);
    tf.dispose(product);
    await selectBackend('cpu');
  });

  it('forces wasm after cpu and back', async () => {
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
