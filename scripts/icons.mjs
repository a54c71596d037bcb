// Renders assets/icon.svg into every icon file the installers need, all committed in assets/:
//   assets/icons/<n>x<n>.png  Linux (AppImage, deb): electron-builder takes the folder as the icon set
//   assets/icon.ico           Windows (the .exe, NSIS installer and shortcuts)
//   assets/icon.icns          macOS (the .app and the dmg)
//   assets/icon.png           1024 px, for anything that wants one picture (and electron-builder's fallback)
// Run `npm run icons` after editing the SVG. Chromium rasterises the SVG at each size (rather than
// one big PNG scaled down), so small sizes get their own anti-aliasing and stay sharp.
// Chromium: the Debian package (`apt-get install chromium`) or CHROMIUM_PATH, as for the e2e tests.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

/** The Linux set: what desktops look up in hicolor/<n>x<n>/apps, up to 1024 for HiDPI docks. */
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
/** Windows: the small sizes for lists and title bars, 256 for large icon views and the installer. */
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/**
 * macOS: the PNG entry types and their pixel sizes. icp4–ic10 are the 1x sizes 16…1024 (ic10 also
 * serves as 512@2x); ic11–ic14 are the @2x variants of 16, 32, 128 and 256 that Retina displays pick.
 */
const ICNS_ENTRIES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

/**
 * An ICO file whose entries are PNG images (Windows Vista and later read these; electron-builder
 * passes an .ico through as is when its largest entry is 256 px).
 * @param {Array<[number, Buffer]>} images size and PNG bytes, smallest first
 */
function icoFile(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon (2 would be a cursor)
  header.writeUInt16LE(images.length, 4);
  const directory = Buffer.alloc(16 * images.length);
  let offset = header.length + directory.length;
  images.forEach(([size, png], i) => {
    const at = 16 * i;
    // Width and height are one byte each; 0 stands for 256.
    directory.writeUInt8(size >= 256 ? 0 : size, at);
    directory.writeUInt8(size >= 256 ? 0 : size, at + 1);
    directory.writeUInt8(0, at + 2); // no palette
    directory.writeUInt8(0, at + 3); // reserved
    directory.writeUInt16LE(1, at + 4); // colour planes
    directory.writeUInt16LE(32, at + 6); // bits per pixel (RGBA)
    directory.writeUInt32LE(png.length, at + 8);
    directory.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, directory, ...images.map(([, png]) => png)]);
}

/**
 * An ICNS file: the magic `icns` and the total length, then each entry as a 4-letter type, its length
 * (header included) and a PNG. All lengths are big-endian.
 * @param {Array<[string, Buffer]>} entries type and PNG bytes
 */
function icnsFile(entries) {
  const chunks = entries.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + chunks.reduce((sum, c) => sum + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

async function render(svg, sizes) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // --no-sandbox: containers run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    /** @type {Map<number, Buffer>} */
    const pngs = new Map();
    for (const size of sizes) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(
        `<!doctype html><html><body style="margin:0;background:transparent">` +
          `<img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`,
      );
      await page.locator('img').evaluate((img) => img.decode());
      // omitBackground keeps the corners transparent rather than white.
      pngs.set(size, await page.screenshot({ type: 'png', omitBackground: true }));
    }
    return pngs;
  } finally {
    await browser.close();
  }
}

const svg = await readFile('assets/icon.svg', 'utf8');
const sizes = [...new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_ENTRIES.map(([, s]) => s)])].sort(
  (a, b) => a - b,
);
const pngs = await render(svg, sizes);
const png = (/** @type {number} */ size) => /** @type {Buffer} */ (pngs.get(size));

await mkdir('assets/icons', { recursive: true });
for (const size of LINUX_SIZES) await writeFile(`assets/icons/${size}x${size}.png`, png(size));
await writeFile('assets/icon.png', png(1024));
await writeFile('assets/icon.ico', icoFile(ICO_SIZES.map((size) => [size, png(size)])));
await writeFile('assets/icon.icns', icnsFile(ICNS_ENTRIES.map(([type, size]) => [type, png(size)])));
console.log(
  `icons: assets/icons/{${LINUX_SIZES.map((s) => `${s}x${s}`).join(',')}}.png, assets/icon.png (1024), ` +
    `assets/icon.ico (${ICO_SIZES.join(',')}), assets/icon.icns (${ICNS_ENTRIES.map(([t]) => t).join(',')})`,
);
