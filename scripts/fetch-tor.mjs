// Fills vendor/tor/<os>-<arch>/ with the tor that each installer bundles (electron-builder.yml packs
// vendor/tor/${os}-${arch} into the app's resources as tor/). The tor comes from the Tor Project's
// "Tor Expert Bundle", the tor of a Tor Browser release, and is kept only if its OpenPGP signature
// verifies against the Tor Browser Developers signing key, pinned here by fingerprint.
//
//   npm run fetch-tor                              every target, the pinned Tor Browser version
//   npm run fetch-tor -- --only linux-x64,win-x64  some targets
//   npm run fetch-tor -- --version 15.0.24         another release
//   npm run fetch-tor -- --dry-run                 only print what would be fetched
//
// Needs the network, gpg (GnuPG 2) and tar. Each target's folder holds the tor program, the libraries
// it loads from beside itself, and MANIFEST.json (the release, the archive's URL and SHA-256, the
// signing key, the SHA-256 of every file kept). Details: docs/PACKAGING.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Tor Browser Developers (signing key) <torbrowser@torproject.org>: the primary key's fingerprint. */
export const SIGNING_KEY_FINGERPRINT = 'EF6E286DDA85EA2A4BA7DE684E2C6E8793298290';
/** Where the key is looked up (Web Key Directory on torproject.org) unless --key-file is given. */
export const SIGNING_KEY_EMAIL = 'torbrowser@torproject.org';

/** The Tor Browser release whose tor is bundled by default; bump it with each tor security release. */
export const DEFAULT_VERSION = '15.0.24';

/**
 * Where releases are: dist.torproject.org holds only the current ones, archive.torproject.org every
 * release, so a pinned version keeps working after it is superseded. The signature is what is
 * trusted, not the server.
 */
export const MIRRORS = [
  'https://dist.torproject.org/torbrowser',
  'https://archive.torproject.org/tor-package-archive/torbrowser',
];

/**
 * The installers' targets, named as electron-builder's ${os}-${arch}, and the expert bundle each
 * takes (named by the Tor Project's `<os>-<cpu>`).
 * - win-arm64: the Tor Project builds no Windows Arm tor; Windows 11 on Arm runs the x64 one under
 *   its x64 emulation, which is plenty for a network daemon.
 * - linux-arm64: no stable release has had a Linux aarch64 expert bundle so far (alphas have): it is
 *   fetched when the release has one and skipped otherwise, and that installer then uses the
 *   system's tor.
 * @type {Readonly<Record<string, {bundle: string, optional?: boolean, note?: string}>>}
 */
export const TARGETS = {
  'linux-x64': { bundle: 'linux-x86_64' },
  'linux-arm64': {
    bundle: 'linux-aarch64',
    optional: true,
    note: 'skipped when the release has none; that installer then uses the system tor',
  },
  'win-x64': { bundle: 'windows-x86_64' },
  'win-arm64': { bundle: 'windows-x86_64', note: 'the x64 tor, run by Windows 11 on Arm emulation' },
  'mac-x64': { bundle: 'macos-x86_64' },
  'mac-arm64': { bundle: 'macos-aarch64' },
};

/** The bundle's file name, e.g. tor-expert-bundle-linux-x86_64-15.0.24.tar.gz. */
export function bundleFileName(target, version) {
  const spec = TARGETS[target];
  if (spec === undefined)
    throw new Error(`unknown target ${target} (known: ${Object.keys(TARGETS).join(', ')})`);
  return `tor-expert-bundle-${spec.bundle}-${version}.tar.gz`;
}

/** The bundle's URL on each mirror, in the order they are tried; its signature is the same + `.asc`. */
export function bundleUrls(target, version, mirrors = MIRRORS) {
  const file = bundleFileName(target, version);
  return mirrors.map((mirror) => `${mirror}/${version}/${file}`);
}

/** A Tor Browser version: 15.0.24, 14.5, 16.0a7. Checked because it becomes part of URLs and paths. */
export function isVersion(value) {
  return /^\d+\.\d+(\.\d+)?(a\d+)?$/.test(value);
}

export const USAGE = `usage: node scripts/fetch-tor.mjs [--version X] [--only TARGET[,TARGET…]] [--dry-run]
                                [--without-pt] [--key-file FILE]
  --version X     Tor Browser release whose expert bundle to take (default ${DEFAULT_VERSION})
  --only T,…      only these targets (default all: ${Object.keys(TARGETS).join(', ')})
  --dry-run       print what would be fetched and kept; no network, nothing written
  --without-pt    leave out the pluggable transports (lyrebird, snowflake-client, pt_config.json),
                  kept by default: the app runs them for obfs4 and snowflake bridges
  --key-file F    take the signing key from this file instead of looking it up (WKD);
                  its fingerprint must still be ${SIGNING_KEY_FINGERPRINT}`;

/**
 * The command line. Throws an Error whose message is meant for the user on anything it does not know.
 * @param {readonly string[]} argv the arguments after the script's name
 */
export function parseArgs(argv) {
  const options = {
    version: DEFAULT_VERSION,
    /** @type {string[]} */
    targets: Object.keys(TARGETS),
    dryRun: false,
    withPt: true,
    /** @type {string | undefined} */
    keyFile: undefined,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    // --name=value and --name value are both accepted.
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${name} needs a value`);
      return next;
    };
    const flag = () => {
      if (eq > 0 && arg.startsWith('--')) throw new Error(`${name} takes no value`);
      return true;
    };
    switch (name) {
      case '--version': {
        options.version = value();
        if (!isVersion(options.version))
          throw new Error(
            `--version ${options.version}: not a Tor Browser version such as ${DEFAULT_VERSION}`,
          );
        break;
      }
      case '--only': {
        const targets = value()
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        for (const t of targets)
          if (!(t in TARGETS))
            throw new Error(`--only ${t}: unknown target (known: ${Object.keys(TARGETS).join(', ')})`);
        if (targets.length === 0) throw new Error('--only needs at least one target');
        options.targets = [...new Set(targets)];
        break;
      }
      case '--dry-run':
        options.dryRun = flag();
        break;
      case '--with-pt': // the default since the app uses bridges; still accepted
        options.withPt = flag();
        break;
      case '--without-pt':
        options.withPt = !flag();
        break;
      case '--key-file':
        options.keyFile = value();
        break;
      case '--help':
      case '-h':
        options.help = flag();
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return options;
}

/**
 * Where a file of the expert bundle goes in the target's folder, or null when it is left out.
 * Kept: the tor program and the libraries beside it (OpenSSL and libevent on Linux, libevent on
 * macOS; Windows' tor.exe is static), the licence texts when the archive has them, and the pluggable
 * transports (`pluggable_transports/`: lyrebird for obfs4, snowflake, their pt_config.json with the
 * built-in bridge lines; main/tor/connection.ts finds them there) unless --without-pt. Left out: tor-gencert (directory authorities only), data/geoip*
 * (country data for relays and ExcludeNodes, neither used by the app's torrc), debug/ symbols.
 * @param {string} file a path inside the archive, with / separators
 * @param {{withPt?: boolean}} [options]
 */
export function keptPath(file, options = {}) {
  const p = file.replace(/^\.\//, '');
  const m = /^tor\/([^/]+)$/.exec(p);
  if (m) {
    const name = /** @type {string} */ (m[1]);
    if (name === 'tor' || name === 'tor.exe') return name;
    if (/\.(so(\.\d+)*|dylib|dll)$/.test(name)) return name;
    return null;
  }
  if (p.startsWith('tor/pluggable_transports/') && options.withPt) return p.slice('tor/'.length);
  if (p.startsWith('docs/') && p.length > 'docs/'.length) return p;
  return null;
}

/** The program's name in the target's folder: what find-tor.ts looks for. */
export function torProgram(target) {
  return target.startsWith('win-') ? 'tor.exe' : 'tor';
}

/**
 * Reads gpg's machine-readable output (--status-fd) of one `--verify` and accepts it only for a good,
 * valid signature made by the pinned key (or one of its subkeys: VALIDSIG's last field is the
 * primary key's fingerprint). Any bad, erroneous, expired or revoked signature is refused.
 * @returns {string} the fingerprint of the (sub)key that signed
 */
export function checkGpgStatus(status, fingerprint = SIGNING_KEY_FINGERPRINT) {
  const lines = status
    .split('\n')
    .filter((line) => line.startsWith('[GNUPG:] '))
    .map((line) => line.slice('[GNUPG:] '.length).trim().split(/\s+/));
  const refused = ['BADSIG', 'ERRSIG', 'EXPSIG', 'EXPKEYSIG', 'REVKEYSIG', 'NO_PUBKEY', 'FAILURE'];
  for (const [keyword, ...rest] of lines)
    if (keyword !== undefined && refused.includes(keyword))
      throw new Error(`signature refused: ${keyword} ${rest.join(' ')}`.trim());
  if (!lines.some(([keyword]) => keyword === 'GOODSIG'))
    throw new Error('signature refused: no good signature');
  const valid = lines.filter(([keyword]) => keyword === 'VALIDSIG');
  if (valid.length !== 1)
    throw new Error(`signature refused: ${valid.length} valid signatures, expected one`);
  const fields = /** @type {string[]} */ (valid[0]).slice(1);
  const signingKey = /** @type {string} */ (fields[0]);
  const primaryKey = (fields[9] ?? signingKey).toUpperCase();
  if (primaryKey !== fingerprint.toUpperCase())
    throw new Error(`signature refused: made by key ${primaryKey}, not the Tor Browser key ${fingerprint}`);
  return signingKey.toUpperCase();
}

/**
 * The MANIFEST.json of a target's folder: what was fetched, from where, checked against which key,
 * and the SHA-256 of every file kept (sorted, so that the same bundle gives the same manifest).
 */
export function buildManifest({
  target,
  version,
  url,
  archiveSha256,
  signingKey,
  primaryKey = SIGNING_KEY_FINGERPRINT,
  files,
}) {
  return {
    target,
    torBrowserVersion: version,
    bundle: path.posix.basename(url),
    url,
    archiveSha256,
    signature: {
      verifiedWith: 'gpg',
      primaryKey,
      signingKey,
    },
    files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/** What --dry-run prints: one block a target. */
export function describePlan(options, outDir) {
  const lines = [
    `Tor Browser ${options.version}; signatures checked against ${SIGNING_KEY_FINGERPRINT}` +
      ` (key from ${options.keyFile ?? `WKD, ${SIGNING_KEY_EMAIL}`})`,
  ];
  for (const target of options.targets) {
    const spec = /** @type {{bundle: string, optional?: boolean, note?: string}} */ (TARGETS[target]);
    const [first, ...fallbacks] = bundleUrls(target, options.version);
    lines.push(
      `${target}: ${bundleFileName(target, options.version)}${spec.note ? ` (${spec.note})` : ''}`,
      `  fetch   ${first} (+ .asc)`,
      ...fallbacks.map((url) => `  or      ${url}`),
      `  keep    ${torProgram(target)}, its libraries${options.withPt ? ', pluggable_transports/' : ''}` +
        `, docs/ if any → ${path.join(outDir, target)}/ + MANIFEST.json`,
    );
  }
  return lines.join('\n');
}

// ─── Side effects below: network, gpg, tar, files ────────────────────────────────────────────────

function run(command, args, env) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return result;
}

async function sha256File(file) {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** GET url into file; false on 404 (not on this mirror), throws on other failures. */
async function download(url, file) {
  const res = await fetch(url);
  if (res.status === 404) return false;
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return true;
}

/** A throwaway GnuPG home (GNUPGHOME) holding only the signing key, checked by fingerprint. */
async function keyring(work, keyFile, fingerprint) {
  const home = path.join(work, 'gnupg');
  await mkdir(home, { mode: 0o700 });
  const env = { GNUPGHOME: home };
  const gpg = (...args) => run('gpg', ['--homedir', home, '--batch', '--no-tty', ...args], env);
  const got = keyFile
    ? gpg('--import', keyFile)
    : gpg('--auto-key-locate', 'nodefault,wkd', '--locate-keys', SIGNING_KEY_EMAIL);
  if (got.status !== 0) throw new Error(`could not get the signing key:\n${got.stderr}`);
  const listed = gpg('--with-colons', '--fingerprint', fingerprint);
  if (listed.status !== 0 || !listed.stdout.includes(`:${fingerprint}:`))
    throw new Error(`the key obtained is not ${fingerprint}:\n${got.stderr}`);
  return {
    verify(signature, file) {
      const result = gpg('--status-fd', '1', '--verify', signature, file);
      const signingKey = checkGpgStatus(result.stdout, fingerprint);
      if (result.status !== 0) throw new Error(`gpg --verify failed:\n${result.stderr}`);
      return signingKey;
    },
    // gpg starts agents for this home; stop them before the folder goes.
    close: () => run('gpgconf', ['--homedir', home, '--kill', 'all'], env),
  };
}

/**
 * Fetches, verifies and unpacks the bundle of each target into `<outDir>/<target>/`. `mirrors` and
 * `fingerprint` are for the tests (a local server and a throwaway key); the defaults are the real ones.
 */
export async function fetchTor({
  version = DEFAULT_VERSION,
  targets = Object.keys(TARGETS),
  withPt = true,
  keyFile = /** @type {string | undefined} */ (undefined),
  outDir,
  mirrors = MIRRORS,
  fingerprint = SIGNING_KEY_FINGERPRINT,
  log = console.log,
}) {
  // The work folder sits beside the output (inside vendor/, ignored by git) so that the final
  // rename is a move on one disk.
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(path.join(outDir, '.fetch-tor-'));
  try {
    const keys = await keyring(work, keyFile, fingerprint);
    try {
      /** Bundles already fetched and verified in this run (win-x64 and win-arm64 share one). */
      const fetched = new Map();
      for (const target of targets) {
        const spec = TARGETS[target];
        if (spec === undefined) throw new Error(`unknown target ${target}`);
        const file = bundleFileName(target, version);
        if (!fetched.has(file))
          fetched.set(file, await fetchBundle(file, target, version, mirrors, keys, work, log));
        const bundle = fetched.get(file);
        const dest = path.join(outDir, target);
        if (bundle === null) {
          if (!spec.optional) throw new Error(`${target}: ${file} is on no mirror`);
          // Never leave another release's tor in place: the installers would mix versions.
          await rm(dest, { recursive: true, force: true });
          log(`${target}: Tor Browser ${version} has no ${spec.bundle} bundle; skipped`);
          continue;
        }
        await install(target, version, bundle, withPt, work, dest, fingerprint, log);
      }
    } finally {
      keys.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Downloads one bundle and its signature and verifies it; null when no mirror has it. */
async function fetchBundle(file, target, version, mirrors, keys, work, log) {
  const archive = path.join(work, file);
  for (const url of bundleUrls(target, version, mirrors)) {
    if (!(await download(url, archive))) continue;
    if (!(await download(`${url}.asc`, `${archive}.asc`))) throw new Error(`no signature at ${url}.asc`);
    const signingKey = keys.verify(`${archive}.asc`, archive);
    log(`${file}: good signature by ${signingKey}`);
    // Unpacked only once the signature is good.
    const unpacked = path.join(work, `${file}.d`);
    await mkdir(unpacked);
    const tar = run('tar', ['-xzf', archive, '-C', unpacked]);
    if (tar.status !== 0) throw new Error(`${file}: tar failed:\n${tar.stderr}`);
    return { url, archiveSha256: await sha256File(archive), signingKey, unpacked };
  }
  return null;
}

/** Copies the kept files (regular files only, never links) of an unpacked bundle into dest. */
async function install(target, version, bundle, withPt, work, dest, fingerprint, log) {
  const staged = await mkdtemp(path.join(work, `${target}-`));
  /** @type {Record<string, string>} */
  const files = {};
  for (const entry of await readdir(bundle.unpacked, { recursive: true })) {
    const source = path.join(bundle.unpacked, entry);
    if (!(await lstat(source)).isFile()) continue;
    const kept = keptPath(entry.split(path.sep).join('/'), { withPt });
    if (kept === null) continue;
    const to = path.join(staged, ...kept.split('/'));
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(source, to);
    // Programs executable; texts (licences, pt_config.json, READMEs) not.
    if (!kept.startsWith('docs/') && !/\.(json|md|txt)$/i.test(kept)) await chmod(to, 0o755);
    files[kept] = await sha256File(to);
  }
  if (files[torProgram(target)] === undefined)
    throw new Error(`${target}: the bundle has no tor/${torProgram(target)}`);
  const manifest = buildManifest({
    target,
    version,
    url: bundle.url,
    archiveSha256: bundle.archiveSha256,
    signingKey: bundle.signingKey,
    primaryKey: fingerprint,
    files,
  });
  await writeFile(path.join(staged, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(dest, { recursive: true, force: true });
  await rename(staged, dest);
  log(`${target}: ${Object.keys(manifest.files).join(', ')} → ${dest}`);
}

async function main(argv) {
  const outDir = fileURLToPath(new URL('../vendor/tor', import.meta.url));
  const options = parseArgs(argv);
  if (options.help) console.log(USAGE);
  else if (options.dryRun) console.log(describePlan(options, path.relative(process.cwd(), outDir) || '.'));
  else await fetchTor({ ...options, outDir });
}

// Run only as a program: the tests import the functions above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`fetch-tor: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
