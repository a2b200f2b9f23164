/**
 * The application menu's actions. The main process only names one (over MENU_ACTION_CHANNEL);
 * the renderer performs it with its own API client and UI state, as its buttons do.
 */
export const MENU_ACTIONS = ['new-project', 'import-folder'] as const;

export type MenuAction = (typeof MENU_ACTIONS)[number];

export function isMenuAction(value: unknown): value is MenuAction {
  return typeof value === 'string' && (MENU_ACTIONS as readonly string[]).includes(value);
}

/** What the Electron preload exposes as window.saccadeShell: the shell's pushes, beside the API. */
export interface ShellEvents {
  /** Calls `listener` with each menu action; returns the function that stops it. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
}
