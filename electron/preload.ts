// Sandboxed preload: it may only `require('electron')`, so esbuild bundles it to one CommonJS file.
// Every capability the renderer gets is listed here; keep each one narrow and typed.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type OnionElectionApi } from './api';

const api: OnionElectionApi = {
  version: () => ipcRenderer.invoke(IPC.version),
};

contextBridge.exposeInMainWorld('onionElection', api);
