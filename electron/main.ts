// Electron main process: a thin, locked-down shell around the renderer in dist/renderer.
// Bundled by scripts/build.mjs to dist/electron/main.cjs, so `__dirname` is dist/electron.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, type IpcMainInvokeEvent, ipcMain, session } from 'electron';
import { IPC } from './api';

const rendererUrl = pathToFileURL(path.join(__dirname, '..', 'renderer', 'index.html'));

/** Only our own top-level page may call into the main process (not an iframe or a navigated-to page). */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !frame.url.startsWith('file:')) return false;
  return new URL(frame.url).pathname === rendererUrl.pathname;
}

function handle(channel: string, answer: () => unknown): void {
  ipcMain.handle(channel, (event) => {
    if (!isTrustedSender(event)) throw new Error(`IPC ${channel}: refused, untrusted sender`);
    return answer();
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 480,
    minHeight: 400,
    title: 'Onion Election',
    show: false, // shown on ready-to-show, avoiding a blank flash
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(rendererUrl.href);
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Deny navigation and pop-ups for every web contents, including any created later.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    // The renderer needs no camera, notifications, geolocation, …
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    handle(IPC.version, () => app.getVersion());
    createWindow();
    // macOS: re-open a window when the dock icon is clicked and none is open.
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
}
