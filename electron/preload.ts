// Sandboxed preload: it may only `require('electron')`, so esbuild bundles it to one CommonJS file.
// It exposes exactly the engine API: one function per request, `onEvent` returning its unsubscribe.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { REQUEST_NAMES, type SequencedEvent } from '../main/api/contract';
import { RequestError } from '../main/api/errors';
import { IPC, type IpcReply, type OnionElectionApi } from './api';

async function request(name: (typeof REQUEST_NAMES)[number], args: unknown[]): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(IPC.request(name), ...args)) as IpcReply;
  if ('error' in reply) throw new RequestError(reply.error, reply.field);
  return reply.ok;
}

const requests = Object.fromEntries(
  REQUEST_NAMES.map((name) => [name, (...args: unknown[]) => request(name, args)]),
) as unknown as Omit<OnionElectionApi, 'onEvent' | 'version'>;

const api: OnionElectionApi = {
  ...requests,
  version: () => ipcRenderer.invoke(IPC.version),
  takeInvitation: () => ipcRenderer.invoke(IPC.takeInvitation),
  onInvitation(listener) {
    const forward = (_event: IpcRendererEvent, link: string) => listener(link);
    ipcRenderer.on(IPC.invitation, forward);
    return () => {
      ipcRenderer.off(IPC.invitation, forward);
    };
  },
  onEvent(listener) {
    // The renderer gets the event alone, never Electron's IpcRendererEvent (it holds `sender`).
    const forward = (_event: IpcRendererEvent, sequenced: SequencedEvent) => listener(sequenced);
    ipcRenderer.on(IPC.events, forward);
    return () => {
      ipcRenderer.off(IPC.events, forward);
    };
  },
};

contextBridge.exposeInMainWorld('onionElection', api);
