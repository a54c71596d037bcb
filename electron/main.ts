// Electron main process: a thin, locked-down shell. It creates the window, starts the engine
// (main/app/engine.ts: tor, the runner, mining in worker threads) and binds the engine API to IPC.
// Bundled by scripts/build.mjs to dist/electron/main.cjs, so `__dirname` is dist/electron (the
// engine's worker threads are built beside it).
//
// Command-line switches, for tests and advanced users: --data-dir DIR (default: the app's user
// data folder), --direct (no Tor: loopback peers only, as `onion-election --direct`).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  type IpcMainInvokeEvent,
  ipcMain,
  type Rectangle,
  screen,
  session,
  shell,
} from 'electron';
import { REQUEST_NAMES } from '../main/api/contract';
import { Engine } from '../main/app/engine';
import type { TorConfig } from '../main/app/tor-config';
import { INVITATION_SCHEME, invitationInArgs } from '../main/net/invitation';
import { IPC, type IpcReply } from './api';

const rendererUrl = pathToFileURL(path.join(__dirname, '..', 'renderer', 'index.html'));

function switchValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Tor as the app ships it: bundled under resources/tor when packaged, else tor on PATH. */
function torConfig(): TorConfig {
  if (process.argv.includes('--direct')) return { mode: 'off' };
  if (!app.isPackaged) return { mode: 'managed' };
  const template = path.join(process.resourcesPath, 'tor', 'torrc.template');
  return {
    mode: 'managed',
    resourcesDir: process.resourcesPath,
    ...(existsSync(template) ? { templatePath: template } : {}),
  };
}

/** Only our own top-level page may call into the main process (not an iframe or a navigated-to page). */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !frame.url.startsWith('file:')) return false;
  return new URL(frame.url).pathname === rendererUrl.pathname;
}

// ── Invitation links ────────────────────────────────────────────────────────────────────────────
// The app is the handler of onion-election:// links (electron-builder `protocols`): a link arrives
// in the first launch's arguments (Windows, Linux), a second launch's (then handed to this one), or
// macOS's open-url. Only a link that reads as an invitation reaches the renderer, which fills the
// join screen with it: nothing is asked of any peer until the user looks it up.

let pendingInvitation: string | null = null;

function openInvitation(url: string): void {
  const link = invitationInArgs([url]);
  if (!link) return;
  const win = BrowserWindow.getAllWindows()[0];
  if (win && !win.isDestroyed()) {
    if (win.isMinimized()) win.restore();
    win.focus();
    win.webContents.send(IPC.invitation, link);
  } else pendingInvitation = link;
}

function bindIpc(engine: Engine): void {
  ipcMain.handle(IPC.version, (event) => {
    if (!isTrustedSender(event)) throw new Error('refused: untrusted sender');
    return app.getVersion();
  });
  ipcMain.handle(IPC.takeInvitation, (event) => {
    if (!isTrustedSender(event)) throw new Error('refused: untrusted sender');
    const link = pendingInvitation;
    pendingInvitation = null;
    return link;
  });
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(IPC.request(name), async (event, ...args: unknown[]): Promise<IpcReply> => {
      if (!isTrustedSender(event)) return { error: 'refused: untrusted sender' };
      try {
        return { ok: (await engine.call(name, args)) ?? null };
      } catch (error) {
        const field = (error as { field?: unknown }).field;
        return { error: (error as Error).message, ...(typeof field === 'string' ? { field } : {}) };
      }
    });
  }
}

// ── The window, its size remembered ─────────────────────────────────────────────────────────────

const windowStateFile = () => path.join(app.getPath('userData'), 'window-state.json');

async function savedBounds(): Promise<Rectangle | undefined> {
  try {
    const b = JSON.parse(await readFile(windowStateFile(), 'utf8')) as Partial<Rectangle>;
    const ok = [b.x, b.y, b.width, b.height].every((n) => Number.isInteger(n));
    if (!ok) return undefined;
    const bounds = b as Rectangle;
    // Only where it is still on a screen (a monitor may have been unplugged since).
    const area = screen.getDisplayMatching(bounds).workArea;
    const visible =
      bounds.x < area.x + area.width && bounds.x + bounds.width > area.x && bounds.y >= area.y - 10;
    return visible ? bounds : { ...bounds, x: area.x + 40, y: area.y + 40 };
  } catch {
    return undefined;
  }
}

async function createWindow(engine: Engine): Promise<BrowserWindow> {
  const bounds = await savedBounds();
  const win = new BrowserWindow({
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 860,
    ...(bounds ? { x: bounds.x, y: bounds.y } : {}),
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
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  const unsubscribe = engine.onEvent((event) => {
    if (!win.isDestroyed()) win.webContents.send(IPC.events, event);
  });
  win.on('close', () => {
    unsubscribe();
    void writeFile(windowStateFile(), JSON.stringify(win.getNormalBounds())).catch(() => {});
  });
  await win.loadURL(rendererUrl.href);
  return win;
}

// ── Lifecycle ───────────────────────────────────────────────────────────────────────────────────

async function start(): Promise<void> {
  // The renderer needs no camera, notifications, geolocation, …
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const engine = await Engine.open({
    dataDir: switchValue('data-dir') ?? path.join(app.getPath('userData'), 'runner'),
    version: app.getVersion(),
    tor: torConfig(),
    openPath: async (folder) => (await shell.openPath(folder)) === '',
    log: (line) => console.log(line),
  });
  bindIpc(engine);

  // Quit waits for a clean stop: tor exits, the miner's workers end, the block log is closed.
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void engine.close().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  await createWindow(engine);
  // macOS: re-open a window when the dock icon is clicked and none is open.
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(engine);
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the data folder (and its LOCK): it shows its window instead.
  app.quit();
} else {
  // Deny navigation and pop-ups for every web contents, including any created later; no webviews.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  // Windows and Linux start the handler with the link as an argument; macOS sends open-url.
  pendingInvitation = invitationInArgs(process.argv) ?? null;
  if (process.defaultApp && process.argv[1])
    app.setAsDefaultProtocolClient(INVITATION_SCHEME, process.execPath, [path.resolve(process.argv[1])]);
  else app.setAsDefaultProtocolClient(INVITATION_SCHEME);
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openInvitation(url);
  });

  app.on('second-instance', (_event, argv) => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win?.isMinimized()) win.restore();
    win?.focus();
    const link = invitationInArgs(argv);
    if (link) openInvitation(link);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Windows shows a renderer's notifications (renderer/lib/notifications.ts) only for an app with
  // an AppUserModelID: the installer's appId (electron-builder.yml), also when run unpackaged.
  if (process.platform === 'win32') app.setAppUserModelId('org.onionelection.app');

  void app.whenReady().then(start, (error: unknown) => {
    console.error(`onion-election: could not start: ${(error as Error).message}`);
    app.exit(1);
  });
}
