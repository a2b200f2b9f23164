/**
 * The application menu as a plain template. Its actions only name what to do (pushed to the
 * renderer, which performs them like its buttons); About is the one dialog the main shows.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../shared/menu-actions';

export interface MenuHandlers {
  /** Asks the renderer to perform the action. */
  sendAction(action: MenuAction): void;
  showAbout(): void;
}

export interface MenuOptions {
  /** Reload and developer tools, for an unpackaged app. */
  developerItems: boolean;
}

export function menuTemplate(handlers: MenuHandlers, options: MenuOptions): MenuItemConstructorOptions[] {
  return [
    {
      label: 'File',
      submenu: [
        { label: 'New project', accelerator: 'CmdOrCtrl+N', click: () => handlers.sendAction('new-project') },
        { label: 'Import dataset folder...', accelerator: 'CmdOrCtrl+I', click: () => handlers.sendAction('import-folder') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    ...(options.developerItems ? [{ label: 'View', submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }] } satisfies MenuItemConstructorOptions] : []),
    { label: 'Help', submenu: [{ label: 'About Saccade', click: () => handlers.showAbout() }] },
  ];
}

/** The About box's text. */
export function aboutMessage(version: string, home: string): { type: 'info'; message: string; detail: string } {
  return {
    type: 'info',
    message: `Saccade ${version}`,
    detail: `A studio for Recurrent Attention Models (Mnih et al., NIPS 2014).\nRuns are kept in ${home}`,
  };
}
