/** Saves bytes through the browser's download (a Blob behind a temporary object URL). */
export function downloadBytes(bytes: Uint8Array | string, mimeType: string, fileName: string): void {
  const part: BlobPart = typeof bytes === 'string' ? bytes : new Uint8Array(bytes);
  const url = URL.createObjectURL(new Blob([part], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: the download reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
