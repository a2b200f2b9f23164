/**
 * The studio's small state: projects, settings, the run index and imported datasets, kept in one
 * JSON file by `conf` (CLI, browser mode, tests) or `electron-store` (the app): same options, same
 * API. Metrics and weights never go here: the store rewrites its whole file on every change.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Project, Settings } from '../shared/api';

/** One imported IDX folder, checked when it was imported. */
export interface ImportRecord {
  /** 'import:<slug>' */
  id: string;
  name: string;
  folder: string;
  imageSize: number;
  train: number;
  test: number;
  classes: number;
  importedAt: string;
}

/** Where a run belongs; the run's own data stays in runs/<id>/. */
export interface RunIndexEntry {
  projectId: string;
  addedAt: string;
}

export interface StudioState {
  projects: Project[];
  settings: Settings;
  runIndex: Record<string, RunIndexEntry>;
  imports: ImportRecord[];
}

/** What conf and electron-store both offer (the part used here). */
export interface KeyValueStore<T> {
  get<K extends keyof T>(key: K): T[K];
  set<K extends keyof T>(key: K, value: T[K]): void;
  readonly path: string;
}

export const DEFAULT_SETTINGS: Settings = { smoothing: 0.6, xAxis: 'step', queueConcurrency: 1 };
/** Every setting there is: nothing else is read from or written to the store's settings. */
export const SETTING_KEYS: readonly (keyof Settings)[] = ['currentProjectId', 'backend', 'smoothing', 'xAxis', 'queueConcurrency'];

/** The known settings of `value` (keys an older or edited file holds are dropped). */
function knownSettings(value: Partial<Settings>): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (value[key] !== undefined) out[key] = value[key];
  return out as Partial<Settings>;
}

export const DEFAULT_PROJECT_NAME = 'My project';
export const STORE_NAME = 'studio';

const projectSchema = {
  type: 'object',
  required: ['id', 'name', 'createdAt', 'runIds', 'settings'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string' },
    runIds: { type: 'array', items: { type: 'string' } },
    settings: {
      type: 'object',
      properties: { defaultPreset: { type: 'string' }, backend: { type: 'string' } },
    },
  },
};

/** JSON schema of the store file (conf validates every write against it). */
export const STUDIO_SCHEMA = {
  projects: { type: 'array', items: projectSchema, default: [] },
  settings: {
    type: 'object',
    properties: {
      currentProjectId: { type: 'string' },
      backend: { type: 'string' },
      smoothing: { type: 'number', minimum: 0, maximum: 0.999 },
      xAxis: { type: 'string', enum: ['step', 'epoch', 'time'] },
      queueConcurrency: { type: 'integer', minimum: 1, maximum: 8 },
    },
    default: DEFAULT_SETTINGS,
  },
  runIndex: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['projectId'],
      properties: { projectId: { type: 'string' }, addedAt: { type: 'string' } },
    },
    default: {},
  },
  imports: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'name', 'folder', 'imageSize', 'train', 'test', 'classes'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        folder: { type: 'string' },
        imageSize: { type: 'integer' },
        train: { type: 'integer' },
        test: { type: 'integer' },
        classes: { type: 'integer' },
        importedAt: { type: 'string' },
      },
    },
    default: [],
  },
} as const;

/** The options conf and electron-store take for the studio's file in `home`. */
export function studioStoreOptions(home: string) {
  return {
    cwd: home,
    configName: STORE_NAME,
    projectName: 'saccade',
    schema: STUDIO_SCHEMA as unknown as Record<string, unknown>,
    clearInvalidConfig: false,
  };
}

/** Errors that mean the store's file cannot be written here. */
const UNWRITABLE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

/** The studio's projects and settings as its file holds them, read only (for the command line). */
export function readStudioState(home: string): StudioState {
  return readStateFile(path.join(home, `${STORE_NAME}.json`));
}

/** The store's file as it is, or an empty state when it cannot be read. */
function readStateFile(file: string): StudioState {
  const empty: StudioState = { projects: [], settings: { ...DEFAULT_SETTINGS }, runIndex: {}, imports: [] };
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StudioState>;
    return { ...empty, ...value };
  } catch {
    return empty;
  }
}

/** An in-memory stand-in for conf when its file cannot be written (same get/set/path). */
class MemoryStore implements KeyValueStore<StudioState> {
  constructor(
    readonly path: string,
    private readonly state: StudioState,
  ) {}
  get<K extends keyof StudioState>(key: K): StudioState[K] {
    return this.state[key];
  }
  set<K extends keyof StudioState>(key: K, value: StudioState[K]): void {
    this.state[key] = value;
  }
}

export class ProjectError extends Error {
  override name = 'ProjectError';
}

function newId(): string {
  return `p-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

function cleanName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !name.trim()) throw new ProjectError(`${what} needs a name`);
  const trimmed = name.trim();
  if (trimmed.length > 200) throw new ProjectError(`${what} name is too long (${trimmed.length} characters, at most 200)`);
  return trimmed;
}

export class ProjectStore {
  /**
   * Opens the store in `home` with conf, or wraps an injected electron-store instance created
   * with studioStoreOptions(home). conf is ESM-only, hence the dynamic import.
   */
  static async open(home: string, injected?: KeyValueStore<StudioState>): Promise<ProjectStore> {
    if (injected) return new ProjectStore(injected);
    const { default: Conf } = await import('conf');
    const options = studioStoreOptions(home);
    let store: KeyValueStore<StudioState>;
    try {
      store = new Conf<StudioState>(options as ConstructorParameters<typeof Conf<StudioState>>[0]) as unknown as KeyValueStore<StudioState>;
      return new ProjectStore(store);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!code || !UNWRITABLE.has(code)) throw err;
      // A full or read-only disk: open on what the file holds, so the user can still look and
      // delete runs to make room; changes to projects and settings last until the studio closes.
      const file = path.join(home, `${STORE_NAME}.json`);
      store = new MemoryStore(file, readStateFile(file));
      return new ProjectStore(store, `projects and settings cannot be saved in ${file} (${code}): changes last until the studio is closed`);
    }
  }

  constructor(
    private readonly store: KeyValueStore<StudioState>,
    /** Set when the store could not be opened for writing. */
    readonly warning?: string,
  ) {
    this.ensureDefaultProject();
  }

  get path(): string {
    return this.store.path;
  }

  // ---- projects ----

  listProjects(): Project[] {
    return this.store.get('projects') ?? [];
  }

  getProject(id: string): Project {
    const project = this.listProjects().find((p) => p.id === id);
    if (!project) throw new ProjectError(`no project with id '${id}'`);
    return project;
  }

  createProject(name: string): Project {
    const project: Project = { id: newId(), name: cleanName(name, 'a project'), createdAt: new Date().toISOString(), runIds: [], settings: {} };
    this.store.set('projects', [...this.listProjects(), project]);
    return project;
  }

  renameProject(id: string, name: string): Project {
    const clean = cleanName(name, 'a project');
    return this.updateProject(id, (p) => ({ ...p, name: clean }));
  }

  updateProjectSettings(id: string, patch: Project['settings']): Project {
    return this.updateProject(id, (p) => ({ ...p, settings: { ...p.settings, ...patch } }));
  }

  /**
   * Removes the project and its runs from the index; returns the run ids it held so the caller can
   * delete their folders when asked to. The last project is replaced by a fresh default one.
   */
  deleteProject(id: string): string[] {
    const project = this.getProject(id);
    this.store.set('projects', this.listProjects().filter((p) => p.id !== id));
    const index = { ...this.store.get('runIndex') };
    for (const runId of project.runIds) delete index[runId];
    this.store.set('runIndex', index);
    this.ensureDefaultProject();
    const settings = this.getSettings();
    if (settings.currentProjectId === id) this.updateSettings({ currentProjectId: this.listProjects()[0].id });
    return project.runIds;
  }

  addRun(projectId: string, runId: string): Project {
    const project = this.updateProject(projectId, (p) => (p.runIds.includes(runId) ? p : { ...p, runIds: [...p.runIds, runId] }));
    // A run belongs to one project: take it out of any other.
    const others = this.listProjects().map((p) => (p.id !== projectId && p.runIds.includes(runId) ? { ...p, runIds: p.runIds.filter((r) => r !== runId) } : p));
    this.store.set('projects', others);
    this.store.set('runIndex', { ...this.store.get('runIndex'), [runId]: { projectId, addedAt: new Date().toISOString() } });
    return project;
  }

  removeRun(runId: string): void {
    this.store.set(
      'projects',
      this.listProjects().map((p) => (p.runIds.includes(runId) ? { ...p, runIds: p.runIds.filter((r) => r !== runId) } : p)),
    );
    const index = { ...this.store.get('runIndex') };
    delete index[runId];
    this.store.set('runIndex', index);
  }

  projectOfRun(runId: string): string | undefined {
    return this.store.get('runIndex')?.[runId]?.projectId;
  }

  // ---- settings ----

  getSettings(): Settings {
    return { ...DEFAULT_SETTINGS, ...knownSettings(this.store.get('settings') ?? {}) };
  }

  updateSettings(patch: Partial<Settings>): Settings {
    const next: Settings = { ...this.getSettings(), ...knownSettings(patch) };
    // An empty value clears an optional setting (JSON cannot carry undefined keys reliably).
    for (const key of ['currentProjectId', 'backend'] as const) if (!next[key]) delete next[key];
    if (next.currentProjectId) this.getProject(next.currentProjectId);
    this.store.set('settings', next);
    return next;
  }

  // ---- imported datasets ----

  listImports(): ImportRecord[] {
    return this.store.get('imports') ?? [];
  }

  addImport(record: ImportRecord): void {
    this.store.set('imports', [...this.listImports().filter((r) => r.id !== record.id), record]);
  }

  removeImport(id: string): void {
    this.store.set('imports', this.listImports().filter((r) => r.id !== id));
  }

  private updateProject(id: string, change: (p: Project) => Project): Project {
    let updated: Project | undefined;
    const projects = this.listProjects().map((p) => (p.id === id ? (updated = change(p)) : p));
    if (!updated) throw new ProjectError(`no project with id '${id}'`);
    this.store.set('projects', projects);
    return updated;
  }

  private ensureDefaultProject(): void {
    if (this.listProjects().length > 0) return;
    const project = this.createProject(DEFAULT_PROJECT_NAME);
    const settings = this.store.get('settings') ?? DEFAULT_SETTINGS;
    this.store.set('settings', { ...DEFAULT_SETTINGS, ...settings, currentProjectId: project.id });
  }
}
