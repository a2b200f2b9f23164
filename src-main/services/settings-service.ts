/** The studio's settings (checked before they are stored) and what the app reports of itself, the backend included. */
import type { AppInfo, Settings } from '../shared/api';
import type { BackendInfo, BackendRequest } from '../shared/jobs';
import { ApiError } from './api-error';
import { BACKEND_NAMES, backendOf } from './backend-setting';
import type { JobLauncher } from './job-launcher';
import { SETTING_KEYS, type ProjectStore } from './project-store';

export interface AppDescription {
  version?: string;
  transport: AppInfo['transport'];
  /** Problems met while opening, shown to the user (the facade fills it). */
  warnings: readonly string[];
}

export class SettingsService {
  private backendProbe: { key: string; info: Promise<BackendInfo> } | undefined;

  constructor(
    private readonly home: string,
    private readonly projects: ProjectStore,
    private readonly launcher: JobLauncher,
    private readonly app: AppDescription,
  ) {}

  async getAppInfo(): Promise<AppInfo> {
    const backend = await this.probeBackend();
    const info: AppInfo = { version: this.app.version ?? '0.0.0', transport: this.app.transport, home: this.home, backend };
    if (this.app.warnings.length) info.warnings = [...this.app.warnings];
    return info;
  }

  /** The backend a new run would use, asked once per requested backend of a probe job. */
  private probeBackend(): Promise<BackendInfo> {
    const forced = backendOf(this.projects, undefined);
    const key = forced ?? 'auto';
    if (!this.backendProbe || this.backendProbe.key !== key) {
      const info = (this.launcher.start({ kind: 'probe', backend: forced }, () => {}).done as Promise<BackendInfo>).catch((err: unknown) => ({
        name: 'none',
        reason: `no backend loads: ${(err as Error).message}`,
        skipped: [],
      }));
      this.backendProbe = { key, info };
    }
    return this.backendProbe.info;
  }

  async getSettings(): Promise<Settings> {
    return this.projects.getSettings();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new ApiError('settings must be an object of setting names and values');
    const unknown = Object.keys(patch).filter((k) => !SETTING_KEYS.includes(k as keyof Settings));
    if (unknown.length) {
      const shown = unknown.slice(0, 3).map((k) => `'${k.slice(0, 40)}'`).join(', ');
      throw new ApiError(`unknown setting${unknown.length > 1 ? 's' : ''} ${shown}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''} (known: ${SETTING_KEYS.join(', ')})`);
    }
    const p = { ...patch };
    for (const key of ['currentProjectId', 'backend'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'string') throw new ApiError(`${key} must be a string, not ${typeof p[key]}`);
    }
    if (p.smoothing !== undefined && !(typeof p.smoothing === 'number' && p.smoothing >= 0 && p.smoothing <= 0.999)) {
      throw new ApiError(`smoothing must be a number from 0 to 0.999, not ${String(p.smoothing)}`);
    }
    if (p.xAxis !== undefined && !['step', 'epoch', 'time'].includes(p.xAxis)) throw new ApiError(`xAxis must be step, epoch or time, not '${String(p.xAxis)}'`);
    if (p.backend && !BACKEND_NAMES.includes(p.backend as BackendRequest)) throw new ApiError(`unknown backend '${p.backend}' (choose ${BACKEND_NAMES.join(', ')}, or none for the best that loads)`);
    return this.projects.updateSettings(p);
  }
}
