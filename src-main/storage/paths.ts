/** Where Saccade keeps its data when nobody says otherwise. */
import * as os from 'node:os';
import * as path from 'node:path';

export const APP_NAME = 'Saccade';

/**
 * SACCADE_HOME if set, else the folder Electron's app.getPath('userData') gives an app named
 * "Saccade", so the CLI and the desktop app share runs without being configured.
 */
export function defaultHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  homeDir: string = os.homedir(),
): string {
  const fromEnv = env.SACCADE_HOME?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(homeDir, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_NAME);
  }
  if (platform === 'darwin') return path.posix.join(homeDir, 'Library', 'Application Support', APP_NAME);
  const config = env.XDG_CONFIG_HOME || path.posix.join(homeDir, '.config');
  return path.posix.join(config, APP_NAME);
}
