// The onion service's secret key, kept in <data folder>/tor/onion-key so that the runner's .onion
// address stays the same across restarts. It is exactly what tor's ADD_ONION returned
// (`ED25519-V3:<base64 of the 64-byte expanded secret key>`), mode 0600, written atomically.
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { TorError } from './errors';

const KEY_PATTERN = /^ED25519-V3:([A-Za-z0-9+/]{86}==)$/;

/** The key blob in `file`, or undefined if there is none yet. */
export async function readOnionKey(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const blob = text.trim();
  const m = KEY_PATTERN.exec(blob);
  if (!m || Buffer.from(m[1]!, 'base64').length !== 64)
    throw new TorError(
      'publish',
      `${file} is not an onion key (ED25519-V3:…); restore it from a backup to keep this runner's ` +
        'address, or move it away to get a new address',
    );
  await keepPrivate(file);
  return blob;
}

/** Stores a new key blob (mode 0600); an existing key is never overwritten. */
export async function writeOnionKey(file: string, blob: string): Promise<void> {
  if (!KEY_PATTERN.test(blob))
    throw new TorError('protocol', 'tor returned a private key that is not ED25519-V3');
  const tmp = `${file}.tmp`;
  await rm(tmp, { force: true });
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${blob}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A key already there (another start raced us) wins: its address is the one peers know.
  if (await exists(file)) {
    await rm(tmp, { force: true });
    throw new TorError('publish', `${file} appeared while a new key was being saved; start again`);
  }
  await rename(tmp, file);
}

async function keepPrivate(file: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) await chmod(file, 0o600);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
