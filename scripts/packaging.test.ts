// The installers' configuration (electron-builder.yml), checked with electron-builder's own code,
// since electron-builder itself cannot run here (no Electron binary to download):
// (a) its schema validation, which must also reject a broken configuration;
// (b) its file matching: app.asar gets the built app (dist/, package.json) and nothing else;
// (c) the icons each platform takes, at every size, as electron-builder resolves them;
// (d) its extraResources: the torrc template everywhere, the bundled tor where
//     scripts/fetch-tor.mjs put one, laid out where main/tor/find-tor.ts looks.
// Some of what it calls is internal to electron-builder (getMainFileMatchers, copyFiles…): if an
// upgrade moves it, these tests fail loudly rather than pass vacuously.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Configuration, PlatformSpecificBuildOptions } from 'app-builder-lib';
import type { AppInfo } from 'app-builder-lib/out/appInfo.js';
import { FileMatcher, getFileMatchers } from 'app-builder-lib/out/fileMatcher.js';
import { computeFileSets } from 'app-builder-lib/out/util/appFileCopier.js';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { convertIcon, type IconFormat } from 'app-builder-lib/out/util/iconConverter.js';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import { DebugLogger, type FilterStats, log } from 'builder-util';
import { minimatch } from 'minimatch';
import { findTor } from '../main/tor/find-tor';
import { siblingModuleUrl } from '../main/workers';
import { TARGETS, torProgram } from './fetch-tor.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  author: { name: string; email?: string };
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

/** electron-builder's functions that its type declarations leave out (marked @internal). */
interface FileMatcherInternals {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformSpecificBuildOptions: PlatformSpecificBuildOptions,
    platformPackager: unknown,
    outDir: string,
    isElectronCompile: boolean,
  ): FileMatcher[];
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformSpecificBuildOptions: PlatformSpecificBuildOptions,
    packager: unknown,
  ): FileMatcher;
  copyFiles(matchers: FileMatcher[] | null, transformer: null, isUseHardLink: boolean): Promise<unknown>;
}
const internals = createRequire(import.meta.url)(
  'app-builder-lib/out/fileMatcher.js',
) as FileMatcherInternals;

// electron-builder logs to standard output in pieces, which would garble the test runner's own
// protocol there: its log is kept here instead, for the tests that expect a message.
let logged = '';
(log as unknown as { stream: NodeJS.WritableStream }).stream = new Writable({
  write(chunk, _encoding, done) {
    logged += String(chunk);
    done();
  },
});

/** electron-builder's platform keys in the configuration, and its ${os} macro for each. */
const PLATFORMS = ['linux', 'win', 'mac'] as const;
type PlatformKey = (typeof PLATFORMS)[number];
const NODE_PLATFORM: Record<PlatformKey, NodeJS.Platform> = { linux: 'linux', win: 'win32', mac: 'darwin' };

/** The configuration as electron-builder loads it (YAML parsed, `files` normalised). */
async function loadConfig(projectDir = root): Promise<Configuration> {
  return getConfig(projectDir, path.join(root, 'electron-builder.yml'), null);
}

/** What electron-builder expands patterns with when packing `platform` for `arch`. */
function macroExpander(platform: PlatformKey, arch: string): (pattern: string) => string {
  // Only ${os} and ${arch} (and the "/*" shorthand) occur in our patterns; no AppInfo field is read.
  return (pattern) => expandMacro(pattern, arch, {} as AppInfo, { os: platform, '/*': '{,/**/*}' });
}

function platformOptions(config: Configuration, platform: PlatformKey): PlatformSpecificBuildOptions {
  return (config[platform] ?? {}) as PlatformSpecificBuildOptions;
}

/** The packager fields electron-builder's file matching reads. */
function packagerStub(projectDir: string, config: Configuration) {
  const info = {
    projectDir,
    buildResourcesDir: path.resolve(projectDir, config.directories?.buildResources ?? 'build'),
    isPrepackedAppAsar: false,
    areNodeModulesHandledExternally: false,
    config,
    debugLogger: new DebugLogger(false),
  };
  return { info };
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/**
 * The files electron-builder would put into app.asar for `platform` (paths relative to projectDir),
 * the production dependencies aside (see the node_modules test): its main file matchers, with the
 * extraResources excluded as it does, walked over the project by its own file walker.
 */
async function packedFiles(projectDir: string, config: Configuration, platform: PlatformKey) {
  const expand = macroExpander(platform, 'x64');
  const packager = packagerStub(projectDir, config);
  const appDest = path.join(os.tmpdir(), 'packed', 'app');
  const outDir = path.resolve(projectDir, config.directories?.output ?? 'dist');
  const matchers = internals.getMainFileMatchers(
    projectDir,
    appDest,
    expand,
    platformOptions(config, platform),
    packager,
    outDir,
    false,
  );
  const excludePatterns: NonNullable<FileMatcher['excludePatterns']> = [];
  const extra = getFileMatchers(config, 'extraResources', appDest, {
    macroExpander: expand,
    customBuildOptions: platformOptions(config, platform),
    globalOutDir: outDir,
    defaultSrc: projectDir,
  });
  for (const matcher of extra ?? []) matcher.computeParsedPatterns(excludePatterns, projectDir);
  for (const matcher of matchers) matcher.excludePatterns = excludePatterns;
  const sets = await computeFileSets(matchers, null, packager as never, false);
  return sets
    .flatMap((set) => set.files.filter((file) => set.metadata.has(file)))
    .map((file) => toPosix(path.relative(projectDir, file)))
    .sort();
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => toPosix(path.relative(root, path.join(entry.parentPath, entry.name))))
    .sort();
}

/** What app.asar must hold: package.json and every built file but the source maps. */
async function expectedPacked(): Promise<string[]> {
  const dist = (await listFiles(path.join(root, 'dist'))).filter((file) => !file.endsWith('.map'));
  return ['package.json', ...dist].sort();
}

const temps: string[] = [];
async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `packaging-${name}-`));
  temps.push(dir);
  return dir;
}

before(() => {
  // The built app is what gets packed; build it once if this checkout has not been built yet.
  if (!existsSync(path.join(root, 'dist', 'electron', 'main.cjs')))
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
});

after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe('(a) electron-builder.yml against electron-builder’s schema', () => {
  test('is valid', async () => {
    await validateConfiguration(await loadConfig(), new DebugLogger(false));
  });

  test('a key electron-builder does not know is refused, at the top and inside a platform', async () => {
    const config = await loadConfig();
    const broken = [
      { ...config, notAnOption: true },
      { ...config, linux: { ...config.linux, notAnOption: true } },
      { ...config, extraResources: [{ from: 'tor', too: 'tor' }] },
      { ...config, npmRebuild: 'no' },
    ];
    for (const candidate of broken)
      await assert.rejects(
        validateConfiguration(candidate as unknown as Configuration, new DebugLogger(false)),
        /Invalid configuration object/,
        JSON.stringify(candidate).slice(0, 200),
      );
  });

  test('identifies the app, and gives deb packages a maintainer and an author email', async () => {
    const config = await loadConfig();
    assert.equal(config.appId, 'org.onionelection.app');
    assert.equal(config.productName, 'Onion Election');
    assert.ok(config.copyright);
    assert.equal(config.directories?.output, 'release');
    assert.match(config.linux?.maintainer ?? '', /^.+ <[^@\s]+@[^@\s]+>$/);
    assert.match(pkg.author.email ?? '', /^[^@\s]+@[^@\s]+$/);
    // Where the app is listed: the freedesktop menu category, the macOS App Store category.
    assert.equal(config.linux?.category, 'Network');
    assert.ok(config.mac?.category?.startsWith('public.app-category.'));
  });

  test('pins the Electron version package-lock.json installs (electron is optional, so may be absent)', async () => {
    const config = await loadConfig();
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; optional?: boolean; dev?: boolean }>;
    };
    const electron = lock.packages['node_modules/electron'];
    assert.equal(config.electronVersion, electron?.version);
    assert.equal(electron?.optional, true, 'electron is an optional dependency');
    assert.equal(
      (pkg as { optionalDependencies?: Record<string, string> }).optionalDependencies?.electron,
      `^${electron?.version}`,
    );
  });

  test('builds AppImage, deb, NSIS and dmg, each for x64 and arm64', async () => {
    const config = await loadConfig();
    const targets = PLATFORMS.flatMap((platform) =>
      [config[platform]?.target ?? []].flat().map((t) => {
        assert.equal(typeof t, 'object', `${platform} targets name their architectures`);
        const { target, arch } = t as { target: string; arch: string[] };
        return `${platform}:${target}:${[arch].flat().join(',')}`;
      }),
    );
    assert.deepEqual(targets.sort(), [
      'linux:AppImage:x64,arm64',
      'linux:deb:x64,arm64',
      'mac:dmg:x64,arm64',
      'win:nsis:x64,arm64',
    ]);
  });
});

describe('(b) what goes into app.asar', () => {
  test('the built app, as the real checkout would be packed, on every platform', async () => {
    const config = await loadConfig();
    const expected = await expectedPacked();
    for (const platform of PLATFORMS)
      assert.deepEqual(await packedFiles(root, config, platform), expected, platform);
  });

  test('the entry point and the files it loads are packed', async () => {
    const packed = new Set(await packedFiles(root, await loadConfig(), 'linux'));
    assert.equal(pkg.main, 'dist/electron/main.cjs');
    for (const file of [
      'package.json',
      pkg.main,
      'dist/electron/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/main.js',
    ])
      assert.ok(packed.has(file), `${file} is packed`);
  });

  test('no source, test, source map, dependency, vendor, release or asset file, even when present', async () => {
    // A copy of the project with one of each beside the built app: only the built app may be packed.
    const project = await tempDir('project');
    await cp(path.join(root, 'package.json'), path.join(project, 'package.json'));
    await cp(path.join(root, 'dist'), path.join(project, 'dist'), { recursive: true });
    const decoys = [
      'main/engine.ts',
      'electron/main.ts',
      'renderer/main.tsx',
      'scripts/packaging.test.ts',
      'e2e/app.spec.ts',
      'node_modules/typescript/package.json',
      'node_modules/react/index.js',
      'vendor/tor/linux-x64/tor',
      'release/linux-unpacked/onion-election',
      'assets/icons/16x16.png',
      'tor/torrc.template',
      'README.md',
    ];
    for (const decoy of decoys) {
      await mkdir(path.dirname(path.join(project, decoy)), { recursive: true });
      await writeFile(path.join(project, decoy), 'decoy\n');
    }
    const packed = await packedFiles(project, await loadConfig(project), 'linux');
    assert.deepEqual(packed, await expectedPacked());
    for (const file of packed) {
      assert.ok(file === 'package.json' || file.startsWith('dist/'), file);
      assert.doesNotMatch(file, /\.(tsx?|map)$|\.test\.|node_modules|^vendor\/|^release\//, file);
    }
  });

  test('no production dependency is copied in beside the bundles', async () => {
    // electron-builder copies package.json's "dependencies" into the app by itself, through this
    // filter; the bundles already contain them, so the configuration filters them all out.
    const withExclusion = await loadConfig();
    const withoutExclusion = {
      ...withExclusion,
      files: [{ filter: ['dist/**', 'package.json'] }],
    } as Configuration;
    const expand = macroExpander('linux', 'x64');
    const filterFor = (config: Configuration, dep: string) => {
      const moduleMatcher = internals.getNodeModuleFileMatcher(
        root,
        '/app',
        expand,
        platformOptions(config, 'linux'),
        packagerStub(root, config).info,
      );
      const depDir = path.join(root, 'node_modules', dep);
      // As NodeModuleCopyHelper builds it for each dependency.
      const matcher = new FileMatcher(depDir, `/app/node_modules/${dep}`, expand, moduleMatcher.patterns);
      return matcher.isEmpty() ? () => true : matcher.createFilter();
    };
    // Optional ones too (electron): electron-builder copies them like the others, when installed.
    const optional = Object.keys(pkg.optionalDependencies ?? {}).filter((dep) =>
      existsSync(path.join(root, 'node_modules', dep, 'package.json')),
    );
    const deps = [...Object.keys(pkg.dependencies), ...optional];
    assert.ok(deps.length > 0);
    for (const dep of deps) {
      const file = path.join(root, 'node_modules', dep, 'package.json');
      const stats: FilterStats = Object.assign(await stat(file), {
        moduleFullFilePath: `node_modules/${dep}/package.json`,
      });
      assert.equal(filterFor(withExclusion, dep)(file, stats), false, `${dep} is left out`);
      // The control: without the exclusion electron-builder would copy it.
      assert.equal(filterFor(withoutExclusion, dep)(file, stats), true, `${dep} would be copied`);
    }
  });

  test('the bundles need no package from node_modules (so leaving them out is safe)', async () => {
    const bundles = (await listFiles(path.join(root, 'dist'))).filter((f) => /\.(cjs|mjs)$/.test(f));
    assert.ok(bundles.includes(pkg.main));
    const specifier =
      /\brequire\("([^"]+)"\)|\bimport\s*(?:[\w$*{}\s,]+?from\s*)?"([^"]+)"|\bimport\("([^"]+)"\)/g;
    for (const bundle of bundles) {
      const code = await readFile(path.join(root, bundle), 'utf8');
      for (const m of code.matchAll(specifier)) {
        const name = (m[1] ?? m[2] ?? m[3])!;
        if (name.startsWith('.') || name.startsWith('/')) continue;
        assert.ok(isBuiltin(name) || name === 'electron', `${bundle} loads ${name} from node_modules`);
      }
    }
  });
});

// ─── (c) icons ─────────────────────────────────────────────────────────────────────────────────────

function pngSize(png: Buffer, what: string): { width: number; height: number } {
  assert.ok(
    png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    `${what}: PNG`,
  );
  assert.equal(png.toString('latin1', 12, 16), 'IHDR', `${what}: IHDR first`);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The images of an ICO file: the size its directory gives, and the image bytes. */
function icoImages(ico: Buffer): Array<{ width: number; height: number; data: Buffer }> {
  assert.equal(ico.readUInt16LE(0), 0, 'ICO reserved field');
  assert.equal(ico.readUInt16LE(2), 1, 'ICO type: icon');
  const count = ico.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const at = 6 + 16 * i;
    const length = ico.readUInt32LE(at + 8);
    const offset = ico.readUInt32LE(at + 12);
    assert.ok(offset + length <= ico.length, `ICO entry ${i} lies inside the file`);
    return {
      width: ico.readUInt8(at) || 256,
      height: ico.readUInt8(at + 1) || 256,
      data: ico.subarray(offset, offset + length),
    };
  });
}

/** The entries of an ICNS file: type and data. */
function icnsEntries(icns: Buffer): Array<{ type: string; data: Buffer }> {
  assert.equal(icns.toString('latin1', 0, 4), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length, 'ICNS length field');
  const entries: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < icns.length; ) {
    const length = icns.readUInt32BE(at + 4);
    assert.ok(length >= 8 && at + length <= icns.length, `ICNS entry at ${at} lies inside the file`);
    entries.push({ type: icns.toString('latin1', at, at + 4), data: icns.subarray(at + 8, at + length) });
    at += length;
  }
  return entries;
}

const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

/** The icon files electron-builder resolves for a platform, from the configuration. */
async function resolvedIcons(platform: PlatformKey, format: IconFormat) {
  const config = await loadConfig();
  const icon = platformOptions(config, platform).icon;
  assert.ok(icon, `${platform}.icon is set`);
  // Checked directly too: electron-builder would quietly fall back to assets/icon.* or assets/icons.
  assert.ok(existsSync(path.join(root, icon)), `${platform}.icon ${icon} exists`);
  const result = await convertIcon({
    sources: [icon],
    fallbackSources: [],
    // As PlatformPackager.resolveIcon: the build resources folder first, then the project.
    roots: [path.join(root, config.directories?.buildResources ?? 'build'), root],
    format,
    outDir: await tempDir(`icon-${format}`),
  });
  assert.equal(result.isFallback, false, `${platform}: our icon, not Electron's default`);
  return result.icons;
}

describe('(c) icons', () => {
  test('Linux: assets/icons holds every size, each a PNG of that size', async () => {
    const icons = await resolvedIcons('linux', 'set');
    assert.deepEqual(
      icons.map((icon) => [toPosix(path.relative(root, icon.file)), icon.size]),
      LINUX_SIZES.map((size) => [`assets/icons/${size}x${size}.png`, size]),
    );
    const names = (await readdir(path.join(root, 'assets', 'icons'))).sort();
    assert.deepEqual(names, LINUX_SIZES.map((size) => `${size}x${size}.png`).sort());
    for (const size of LINUX_SIZES) {
      const file = `assets/icons/${size}x${size}.png`;
      assert.deepEqual(pngSize(await readFile(path.join(root, file)), file), { width: size, height: size });
    }
  });

  test('Windows: assets/icon.ico holds 16 to 256 px, as PNG entries of the stated sizes', async () => {
    const [icon] = await resolvedIcons('win', 'ico');
    assert.equal(toPosix(path.relative(root, icon!.file)), 'assets/icon.ico');
    assert.equal(icon!.size, 256);
    const images = icoImages(await readFile(icon!.file));
    assert.deepEqual(
      images.map((image) => image.width),
      [16, 24, 32, 48, 64, 128, 256],
    );
    for (const image of images) {
      const size = pngSize(image.data, `ico ${image.width}`);
      assert.deepEqual(size, { width: image.width, height: image.height });
    }
  });

  test('macOS: assets/icon.icns holds each entry type at its size, Retina ones included', async () => {
    const [icon] = await resolvedIcons('mac', 'icns');
    assert.equal(toPosix(path.relative(root, icon!.file)), 'assets/icon.icns');
    const expected: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
      ic11: 32,
      ic12: 64,
      ic13: 256,
      ic14: 512,
    };
    const entries = icnsEntries(await readFile(icon!.file));
    assert.deepEqual(entries.map((entry) => entry.type).sort(), Object.keys(expected).sort());
    for (const { type, data } of entries) {
      const size = expected[type]!;
      assert.deepEqual(pngSize(data, `icns ${type}`), { width: size, height: size }, type);
    }
  });

  test('assets/icon.png, the single-picture fallback, is 1024 px', async () => {
    assert.deepEqual(pngSize(await readFile(path.join(root, 'assets', 'icon.png')), 'icon.png'), {
      width: 1024,
      height: 1024,
    });
  });
});

// ─── (d) extraResources ────────────────────────────────────────────────────────────────────────────

/** Every platform-architecture pair the installers target, as electron-builder's ${os}-${arch}. */
async function installerTargets(): Promise<Array<{ platform: PlatformKey; arch: string }>> {
  const config = await loadConfig();
  const pairs = new Map<string, { platform: PlatformKey; arch: string }>();
  for (const platform of PLATFORMS)
    for (const t of [config[platform]?.target ?? []].flat())
      for (const arch of [(t as { arch: string | string[] }).arch].flat())
        pairs.set(`${platform}-${arch}`, { platform, arch });
  return [...pairs.values()];
}

function extraResourceMatchers(
  config: Configuration,
  projectDir: string,
  resources: string,
  platform: PlatformKey,
  arch: string,
) {
  return (
    getFileMatchers(config, 'extraResources', resources, {
      macroExpander: macroExpander(platform, arch),
      customBuildOptions: platformOptions(config, platform),
      globalOutDir: path.join(projectDir, 'release'),
      defaultSrc: projectDir,
    }) ?? []
  );
}

describe('(d) extraResources: the torrc template and the bundled tor', () => {
  test('every target gets tor/torrc.template, and its own vendor/tor/<os>-<arch> as tor/', async () => {
    const config = await loadConfig();
    assert.ok(existsSync(path.join(root, 'tor', 'torrc.template')));
    const resources = path.join(os.tmpdir(), 'resources');
    for (const { platform, arch } of await installerTargets()) {
      const mappings = extraResourceMatchers(config, root, resources, platform, arch).map((m) => [
        toPosix(path.relative(root, m.from)),
        toPosix(path.relative(resources, m.to)),
      ]);
      assert.deepEqual(
        mappings,
        [
          ['tor/torrc.template', 'tor/torrc.template'],
          [`vendor/tor/${platform}-${arch}`, 'tor'],
        ],
        `${platform}-${arch}`,
      );
    }
  });

  test('scripts/fetch-tor.mjs fetches for exactly the installers’ targets', async () => {
    const targets = (await installerTargets()).map(({ platform, arch }) => `${platform}-${arch}`);
    assert.deepEqual(Object.keys(TARGETS).sort(), targets.sort());
  });

  test('packed resources are laid out where the tor manager finds a bundled tor', async () => {
    // A project with a fetched tor for linux-x64 and win-x64 only, copied by electron-builder's own
    // copyFiles; arm64 Linux has none and must still get the template (the app then uses PATH).
    const project = await tempDir('resources-project');
    await cp(path.join(root, 'tor', 'torrc.template'), path.join(project, 'tor', 'torrc.template'));
    const fetched: Record<string, string[]> = {
      'linux-x64': ['tor', 'libevent-2.1.so.7', 'MANIFEST.json'],
      'win-x64': ['tor.exe', 'MANIFEST.json'],
    };
    for (const [target, files] of Object.entries(fetched))
      for (const file of files) {
        const to = path.join(project, 'vendor', 'tor', target, file);
        await mkdir(path.dirname(to), { recursive: true });
        await writeFile(to, 'x');
        if (file === torProgram(target)) await chmod(to, 0o755);
      }
    const config = await loadConfig(project);
    const cases: Array<{ platform: PlatformKey; arch: string; bundled: boolean }> = [
      { platform: 'linux', arch: 'x64', bundled: true },
      { platform: 'win', arch: 'x64', bundled: true },
      { platform: 'linux', arch: 'arm64', bundled: false },
    ];
    for (const { platform, arch, bundled } of cases) {
      const resources = await tempDir(`resources-${platform}-${arch}`);
      await internals.copyFiles(
        extraResourceMatchers(config, project, resources, platform, arch),
        null,
        false,
      );
      const copied = await listFilesUnder(resources);
      const target = `${platform}-${arch}`;
      const expected = [
        'tor/torrc.template',
        ...(bundled ? (fetched[target] ?? []).map((f) => `tor/${f}`) : []),
      ];
      assert.deepEqual(copied, expected.sort(), target);
      const found = (() => {
        try {
          return findTor({
            resourcesDir: resources,
            platform: NODE_PLATFORM[platform],
            env: { PATH: '' },
            usualDirs: [],
          });
        } catch {
          return undefined;
        }
      })();
      if (bundled)
        assert.deepEqual(found, {
          path: path.join(resources, 'tor', torProgram(target)),
          source: 'bundled',
        });
      else {
        assert.equal(found, undefined, `${target}: no bundled tor`);
        // electron-builder only warns, so the installer still builds.
        assert.match(logged, new RegExp(`file source doesn't exist .*vendor/tor/${target}`));
      }
    }
  });
});

async function listFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => toPosix(path.relative(dir, path.join(entry.parentPath, entry.name))))
    .sort();
}

describe('(e) the engine’s worker threads outside app.asar', () => {
  test('asarUnpack takes exactly the worker bundles the shell starts', async () => {
    const config = await loadConfig();
    const patterns = ([] as string[]).concat(config.asarUnpack ?? []);
    const packed = await packedFiles(root, config, 'linux');
    const unpacked = packed.filter((file) => patterns.some((p) => minimatch(file, p)));
    assert.deepEqual(unpacked, ['dist/electron/ballot-worker.mjs', 'dist/electron/miner-worker.mjs']);
  });

  test('the engine finds a worker in app.asar.unpacked before the copy inside app.asar', async () => {
    const resources = await tempDir('asar');
    for (const folder of ['app.asar', 'app.asar.unpacked']) {
      await mkdir(path.join(resources, folder, 'dist', 'electron'), { recursive: true });
      await writeFile(path.join(resources, folder, 'dist', 'electron', 'miner-worker.mjs'), '');
    }
    const bundle = pathToFileURL(path.join(resources, 'app.asar', 'dist', 'electron', 'main.cjs')).href;
    const found = siblingModuleUrl(bundle, 'miner-worker');
    assert.equal(
      fileURLToPath(found),
      path.join(resources, 'app.asar.unpacked', 'dist', 'electron', 'miner-worker.mjs'),
    );
  });
});
