// Types of scripts/fetch-tor.mjs, a plain-JavaScript program (it runs with node alone, before any
// build), for its TypeScript test.

export interface TargetSpec {
  /** The Tor Project's name of the bundle's platform, e.g. linux-x86_64. */
  readonly bundle: string;
  /** Skipped, not an error, when the release has no such bundle. */
  readonly optional?: boolean;
  readonly note?: string;
}

export interface FetchOptions {
  version: string;
  targets: string[];
  dryRun: boolean;
  withPt: boolean;
  keyFile: string | undefined;
  help: boolean;
}

export interface Manifest {
  target: string;
  torBrowserVersion: string;
  bundle: string;
  url: string;
  archiveSha256: string;
  signature: { verifiedWith: 'gpg'; primaryKey: string; signingKey: string };
  files: Record<string, string>;
}

export const SIGNING_KEY_FINGERPRINT: string;
export const SIGNING_KEY_EMAIL: string;
export const DEFAULT_VERSION: string;
export const MIRRORS: readonly string[];
export const TARGETS: Readonly<Record<string, TargetSpec>>;
export const USAGE: string;

export function bundleFileName(target: string, version: string): string;
export function bundleUrls(target: string, version: string, mirrors?: readonly string[]): string[];
export function isVersion(value: string): boolean;
export function parseArgs(argv: readonly string[]): FetchOptions;
export function keptPath(file: string, options?: { withPt?: boolean }): string | null;
export function torProgram(target: string): string;
export function checkGpgStatus(status: string, fingerprint?: string): string;
export function buildManifest(input: {
  target: string;
  version: string;
  url: string;
  archiveSha256: string;
  signingKey: string;
  primaryKey?: string;
  files: Record<string, string>;
}): Manifest;
export function describePlan(options: FetchOptions, outDir: string): string;
export function fetchTor(options: {
  version?: string;
  targets?: readonly string[];
  withPt?: boolean;
  keyFile?: string | undefined;
  outDir: string;
  mirrors?: readonly string[];
  fingerprint?: string;
  log?: (line: string) => void;
}): Promise<void>;
