// An election runner on a network: the node, its peer API on 127.0.0.1, the peer book and gossip.
// The command line and the desktop app both start one of these.

import type express from 'express';
import { type Genesis, parseGenesis } from '../chain/genesis';
import type { ElectionNode, NodeSettings } from '../node/election-node';
import type { TorManager } from '../tor/manager';
import { parsePeerAddress } from './address';
import { createPeerApi, listenPeerApi, type PeerApiServer } from './api';
import { PeerClient } from './client';
import { Network } from './network';
import { PeerBook } from './peer-book';

export interface RunnerOptions {
  /** Peers given by the user (.onion or loopback host:port). */
  readonly peers?: readonly string[];
  /** This runner's own address; in direct mode it defaults to 127.0.0.1:PORT. */
  readonly self?: string;
  /** Tor's SOCKS proxy for .onion peers, as socks5h://host:port. */
  readonly proxy?: string;
  /** Port of the peer API on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /** No Tor: peers are loopback host:port and this runner announces 127.0.0.1:PORT. */
  readonly direct?: boolean;
  /**
   * A tor this runner controls (started or attached): it publishes the peer API as an onion
   * service (same address across restarts), its SOCKS port carries outgoing requests, and the
   * runner stops it on close if it started it.
   */
  readonly tor?: TorManager;
  readonly syncIntervalMs?: number;
  readonly log?: (message: string) => void;
  /**
   * A peer API already listening (and published, with `self` its address): the lobby's, handed
   * over at the start so the organizer keeps its address and port. The runner serves its routes
   * there from now on, and closes it (and `tor`) when it closes.
   */
  readonly service?: { readonly api: PeerApiServer; readonly self: string | undefined };
  /** More routes beside the election's (the lobby's, for joiners still polling). */
  readonly extra?: express.Router;
}

export class Runner {
  private constructor(
    readonly node: ElectionNode,
    readonly network: Network,
    readonly peers: PeerBook,
    readonly port: number,
    readonly self: string | undefined,
    /** The tor this runner publishes through, if it was given one (it stops it on close). */
    readonly tor: TorManager | undefined,
    /** The peer API's server (benchmarks count what crosses it). */
    readonly api: PeerApiServer,
    private readonly stopServices: () => Promise<void>,
  ) {}

  private closing: Promise<void> | undefined;

  /** Starts networking around an opened node: serve, remember peers, sync, mine if set to. */
  static async start(node: ElectionNode, options: RunnerOptions = {}): Promise<Runner> {
    const log = options.log ?? (() => {});
    // Knowing its own address lets the book refuse it, and (for an onion) refuse loopback
    // addresses from peers: a remote peer must not point this runner at its own machine.
    const peers = new PeerBook(options.self ? { self: options.self } : {});
    const proxy = options.proxy ?? options.tor?.socksUrl;
    const client = new PeerClient(proxy ? { proxy } : {});
    let network: Network | undefined;
    const app = createPeerApi({
      node,
      peers,
      onOrphan: (missing, from) => void network?.fetchAncestors(missing, from),
      onPeerActive: (address) => network?.noteInbound(address),
      onWithheld: (hash, from) => void network?.fetchAncestors(hash, from),
      log,
      ...(options.extra ? { extra: options.extra } : {}),
    });
    // A tor of our own forwards to a Unix socket with each connection's circuit, so that one Tor
    // client is one client for the rate limits however many streams it opens (docs/TOR.md §2).
    const torSocket = options.tor?.circuitSocketPath();
    const api =
      options.service?.api ??
      (await listenPeerApi(app, {
        port: options.port ?? 0,
        host: '127.0.0.1',
        ...(torSocket ? { torSocket } : {}),
      }));
    if (options.service) api.serve(app);
    try {
      let self = options.service
        ? options.service.self
        : (options.self ?? (options.direct ? `127.0.0.1:${api.port}` : undefined));
      if (options.tor && !options.service) {
        log(
          torSocket
            ? 'publishing the peer API as an onion service (limits shared by Tor circuit)…'
            : 'publishing the peer API as an onion service (limits shared by connection)…',
        );
        self = (await options.tor.publishService(api.port, torSocket ? { socketPath: torSocket } : {}))
          .address;
      }
      peers.setSelf(self);
      const saved = node.settings.peers ?? [];
      for (const address of [...saved, ...(options.peers ?? [])]) {
        const parsed = parsePeerAddress(address, 'peer').address;
        if (parsed !== self) peers.add(parsed, 'cli');
      }
      network = new Network({
        node,
        client,
        peers,
        ...(self ? { self } : {}),
        ...(options.syncIntervalMs ? { syncIntervalMs: options.syncIntervalMs } : {}),
        ...(options.tor ? { onOnionPeerSilent: freshCircuits(options.tor, log) } : {}),
        log,
      });
      // Remember every peer given by hand, for the next start (learned ones are relearned).
      await node.updateSettings({ peers: peers.given(), port: api.port });
      network.start();
      if (node.settings.mining) node.startMining();
      return new Runner(node, network, peers, api.port, self, options.tor, api, async () => {
        await api.close();
        await options.tor?.stop();
      });
    } catch (error) {
      await api.close();
      await options.tor?.stop();
      throw error;
    }
  }

  /** Fetches the genesis from the first peer that answers, for `join`. */
  static async fetchGenesis(
    peers: readonly string[],
    proxy?: string,
  ): Promise<{ genesis: Genesis; from: string }> {
    const client = new PeerClient(proxy ? { proxy } : {});
    const errors: string[] = [];
    for (const peer of peers) {
      try {
        const address = parsePeerAddress(peer, 'peer').address;
        return { genesis: parseGenesis(await client.genesis(address)), from: address };
      } catch (error) {
        errors.push(`${peer}: ${(error as Error).message}`);
      }
    }
    throw new Error(`no peer gave a valid genesis (${errors.join('; ') || 'no peer given'})`);
  }

  /**
   * Tor works again after a pause (a laptop's sleep, a lost network): fresh circuits (a
   * rendezvous from before the pause may be dead), and every peer tried again now, not after the
   * backoff its failures during the pause earned.
   */
  reconnected(): void {
    this.peers.retryAll();
    this.tor?.newCircuits().catch(() => {});
    void this.network.syncNow();
  }

  /** Adds a peer at run time (the dashboard's form) and syncs with it at once. */
  async addPeer(address: string): Promise<void> {
    const parsed = parsePeerAddress(address, 'peer').address;
    this.peers.add(parsed, 'cli');
    await this.node.updateSettings({ peers: this.peers.given() });
    void this.network.syncWith(parsed);
  }

  /** Forgets a peer (the dashboard's remove button); false if it was not in the book. */
  async removePeer(address: string): Promise<boolean> {
    const parsed = parsePeerAddress(address, 'peer').address;
    if (!this.peers.remove(parsed)) return false;
    await this.node.updateSettings({ peers: this.peers.given() });
    return true;
  }

  /** Stops gossip, the peer API (and a tor of its own), then the node. Closing again waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.network.close();
      await this.stopServices();
      await this.node.close();
    })();
    return this.closing;
  }
}

/** Asks tor for new circuits when an onion peer falls silent, at most once a minute. */
function freshCircuits(tor: TorManager, log: (message: string) => void): (peer: string) => void {
  let last = 0;
  return (peer) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    log(`${peer} stopped answering: asking tor for fresh circuits`);
    tor.newCircuits().catch((error: unknown) => log(`tor NEWNYM failed: ${(error as Error).message}`));
  };
}

export type { NodeSettings };
