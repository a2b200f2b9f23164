/** The native dialogs the studio asks for, over the dialog calls they need (stand-ins in tests). */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import path from 'node:path';
import type { ExportResult } from '../shared/api';

export interface FolderDialog {
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export interface SaveDialog {
  showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  writeFile(file: string, bytes: Uint8Array): Promise<void>;
  /** Where the dialog starts: the user's downloads folder. */
  downloadsDir: string;
}

/** The folder chosen, or undefined when the dialog was cancelled. */
export async function pickFolder(dialog: FolderDialog): Promise<string | undefined> {
  const result = await dialog.showOpenDialog({ title: 'Choose a folder of MNIST-layout IDX files', properties: ['openDirectory'] });
  return result.canceled ? undefined : result.filePaths[0];
}

export function saveExportOptions(fileName: string, downloadsDir: string): SaveDialogOptions {
  const ext = path.extname(fileName).slice(1);
  return {
    title: 'Save the glimpse animation',
    defaultPath: path.join(downloadsDir, fileName),
    filters: [{ name: ext === 'gif' ? 'GIF animation' : 'Animated PNG', extensions: [ext] }],
  };
}

/** Writes the export where the user chose; the path written, or undefined when cancelled. */
export async function saveExport(dialog: SaveDialog, result: ExportResult): Promise<string | undefined> {
  const choice = await dialog.showSaveDialog(saveExportOptions(result.fileName, dialog.downloadsDir));
  if (choice.canceled || !choice.filePath) return undefined;
  await dialog.writeFile(choice.filePath, result.bytes);
  return choice.filePath;
}
