/**
 * The software WebGPU adapter the suite uses on a machine without a GPU: Dawn on Vulkan with
 * Chromium's SwiftShader driver (Debian's chromium package ships it; .ci/install-test-deps installs
 * chromium and the Vulkan loader).
 */
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const haveSwiftShader = existsSync(SWIFTSHADER_ICD);

/** The environment that makes Dawn find SwiftShader (and only it). */
export function swiftShaderEnv(): Record<string, string> {
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
}
