// The managed tor's onion service as a HiddenServiceDir, set with SETCONF, rather than ADD_ONION:
// only a HiddenServiceDir service takes `HiddenServiceExportCircuitID haproxy` (tor 0.4.9.11
// answers ADD_ONION … ExportCircuitID=haproxy with `512 Bad arguments to ADD_ONION: Unrecognized
// keyword argument "ExportCircuitID"`, and has no such flag), and the peer API needs the circuit
// to share its limits fairly between Tor clients (docs/TOR.md §2, "The onion service").
//
// The address must stay the one peers know, so the key is still <tor>/onion-key, the source of
// truth: before each start it is written into the service folder in tor's own file format; a new
// key made by tor in the folder is copied into onion-key. Both hold the same 64-byte expanded
// ed25519 secret key (ADD_ONION's `ED25519-V3:<base64>` is exactly that).
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { onionAddressFromPublicKey } from '../net/address';
import { TorError } from './errors';

const SECRET_FILE = 'hs_ed25519_secret_key';
const PUBLIC_FILE = 'hs_ed25519_public_key';
/** Tor's tagged key files: a 32-byte header (the tag, NUL-padded), then the key. */
const SECRET_TAG = '== ed25519v1-secret: type0 ==';
const PUBLIC_TAG = '== ed25519v1-public: type0 ==';
const HEADER_BYTES = 32;

function header(tag: string): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.write(tag, 'latin1');
  return bytes;
}

/** The contents of tor's hs_ed25519_secret_key for an `ED25519-V3:<base64>` key blob. */
export function secretKeyFile(blob: string): Buffer {
  const m = /^ED25519-V3:([A-Za-z0-9+/]{86}==)$/.exec(blob);
  const key = m ? Buffer.from(m[1]!, 'base64') : undefined;
  if (key?.length !== 64) throw new TorError('publish', 'the onion key is not ED25519-V3');
  return Buffer.concat([header(SECRET_TAG), key]);
}

/** The key blob in tor's hs_ed25519_secret_key contents. */
export function keyBlobOf(file: Buffer): string {
  if (file.length !== HEADER_BYTES + 64 || !file.subarray(0, HEADER_BYTES).equals(header(SECRET_TAG)))
    throw new TorError('publish', `tor's ${SECRET_FILE} is not an ed25519 secret key file`);
  return `ED25519-V3:${file.subarray(HEADER_BYTES).toString('base64')}`;
}

/** The .onion address in tor's hs_ed25519_public_key contents. */
export function addressOfPublicKeyFile(file: Buffer): string {
  if (file.length !== HEADER_BYTES + 32 || !file.subarray(0, HEADER_BYTES).equals(header(PUBLIC_TAG)))
    throw new TorError('publish', `tor's ${PUBLIC_FILE} is not an ed25519 public key file`);
  return onionAddressFromPublicKey(file.subarray(HEADER_BYTES));
}

/**
 * Makes the service folder (0700, as tor requires) and, given a key, writes it there as tor's
 * secret key file (0600, atomically), replacing what was there: onion-key decides the address.
 * The public key and hostname files are removed so that tor derives them from this key.
 */
export async function prepareServiceDir(dir: string, blob: string | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
  if (blob === undefined) return;
  const contents = secretKeyFile(blob);
  const tmp = path.join(dir, `${SECRET_FILE}.tmp`);
  await rm(tmp, { force: true });
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path.join(dir, SECRET_FILE));
  for (const derived of [PUBLIC_FILE, 'hostname']) await rm(path.join(dir, derived), { force: true });
}

/**
 * The key and address of the service tor loaded from `dir`. Tor writes its files while applying
 * SETCONF; they are waited for briefly all the same.
 */
export async function readServiceDir(
  dir: string,
  timeoutMs = 2000,
): Promise<{ blob: string; address: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const blob = keyBlobOf(await readFile(path.join(dir, SECRET_FILE)));
      const address = addressOfPublicKeyFile(await readFile(path.join(dir, PUBLIC_FILE)));
      return { blob, address };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
