/** The application menu as a plain template: its items name renderer actions; About shows the main's dialog. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { aboutMessage, menuTemplate } from '../../src-main/electron/menu';
import type { MenuAction } from '../../src-main/shared/menu-actions';

function items(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  return template.find((m) => m.label === label)!.submenu as MenuItemConstructorOptions[];
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item!.click as () => void)();
}

function build(developerItems: boolean) {
  const sent: MenuAction[] = [];
  let abouts = 0;
  const template = menuTemplate({ sendAction: (a) => sent.push(a), showAbout: () => abouts++ }, { developerItems });
  return { template, sent, abouts: () => abouts };
}

describe('application menu', () => {
  it('File items send their action to the renderer and do nothing else', () => {
    const { template, sent, abouts } = build(false);
    const file = items(template, 'File');
    click(file.find((i) => i.label === 'New project'));
    click(file.find((i) => i.label === 'Import dataset folder...'));
    expect(sent).toEqual(['new-project', 'import-folder']);
    expect(abouts()).toBe(0);
    expect(file.map((i) => i.accelerator).filter(Boolean)).toEqual(['CmdOrCtrl+N', 'CmdOrCtrl+I']);
    expect(file.at(-1)).toEqual({ role: 'quit' });
  });

  it('Help > About shows the About box', () => {
    const { template, sent, abouts } = build(false);
    click(items(template, 'Help')[0]);
    expect(abouts()).toBe(1);
    expect(sent).toEqual([]);
    expect(aboutMessage('1.2.3', '/home/u/.saccade')).toEqual({
      type: 'info',
      message: 'Saccade 1.2.3',
      detail: 'A studio for Recurrent Attention Models (Mnih et al., NIPS 2014).\nRuns are kept in /home/u/.saccade',
    });
  });

  it('developer tools only when asked for (an unpackaged app)', () => {
    expect(build(false).template.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'Help']);
    const dev = build(true).template;
    expect(dev.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'Help']);
    expect(items(dev, 'View').map((i) => i.role)).toEqual(['reload', 'forceReload', 'toggleDevTools']);
  });
});
