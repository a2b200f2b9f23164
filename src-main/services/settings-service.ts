/** The studio's settings (checked before they are stored) and what the app reports of itself, the backend included. */
import type { AppInfo, Settings } from '../shared/api';
import type { BackendInfo, BackendRequest } from '../shared/jobs';
import { ApiError } from './api-error';
import { BACKEND_NAMES, backendOf } from './backend-setting';
import type { JobLauncher } from './job-launcher';
import type { ProjectStore } from './project-store';

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
      const probe = this.launcher.start({ kind: 'probe', backend: forced }, () => {}).done as Promise<BackendInfo>;
      const entry: { key: string; info: Promise<BackendInfo> } = { key, info: Promise.resolve({ name: 'none', reason: '', skipped: [] }) };
      entry.info = probe.catch((err: unknown) => {
        // A failed check (the job queue full, a crash) is not remembered: the next call asks again.
        if (this.backendProbe === entry) this.backendProbe = undefined;
        return { name: 'none', reason: `no backend loads: ${(err as Error).message}`, skipped: [] };
      });
      this.backendProbe = entry;
    }
    return this.backendProbe.info;
  }

  async getSettings(): Promise<Settings> {
    return this.projects.getSettings();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.backend && !BACKEND_NAMES.includes(patch.backend as BackendRequest)) {
      throw new ApiError(`unknown backend '${patch.backend}' (choose ${BACKEND_NAMES.join(', ')}, or none for the best that loads)`);
    }
    return this.projects.updateSettings({ ...patch });
  }
}
