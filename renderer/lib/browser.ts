// The few browser services the dashboard uses, each with a fallback where the browser says no.

/**
 * Copies `text`; where the clipboard is refused (no permission, an http page in some browsers) it
 * selects `fallback`'s text instead, so the user can press Ctrl+C. Returns whether it copied.
 */
export async function copyText(text: string, fallback: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallback) {
      const range = document.createRange();
      range.selectNodeContents(fallback);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
    return false;
  }
}

/** Saves `contents` as a file: a Blob URL behind a temporary <a download> (works in Electron too). */
export function downloadFile(fileName: string, contents: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([contents], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once click() returns; revoke on the next turn to be safe.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
