// Builds the web console (src/console, SPEC §8) into lib/console: one esbuild call bundles the TypeScript and CSS
// into content-hashed files under assets/, then index.html is written to load them. Prints what it wrote and the
// bundle's size, raw and gzipped, so growth is seen at every build.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { gzipSync } = require('node:zlib');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'src', 'console');
const outdir = path.join(root, 'lib', 'console');
const assets = path.join(outdir, 'assets');

/** Copies a static file into assets/ under a content-hashed name and answers that name. */
function copyHashed(file) {
  const bytes = fs.readFileSync(file);
  const { name, ext } = path.parse(file);
  const hashed = `${name}-${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}${ext}`;
  fs.writeFileSync(path.join(assets, hashed), bytes);
  return hashed;
}

async function main() {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(assets, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [path.join(source, 'main.tsx')],
    tsconfig: path.join(source, 'tsconfig.json'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    entryNames: '[name]-[hash]',
    outdir: assets,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs).map(([file, info]) => ({ file: path.resolve(root, file), info }));
  const entry = outputs.find(({ info }) => info.entryPoint !== undefined);
  const script = path.basename(entry.file);
  const stylesheet = path.basename(entry.info.cssBundle);
  const favicon = copyHashed(path.join(source, 'favicon.svg'));
  const html = fs
    .readFileSync(path.join(source, 'index.html'), 'utf8')
    .replace('{{script}}', `/assets/${script}`)
    .replace('{{stylesheet}}', `/assets/${stylesheet}`)
    .replace('{{favicon}}', `/assets/${favicon}`);
  fs.writeFileSync(path.join(outdir, 'index.html'), html);

  const shipped = [path.join(assets, script), path.join(assets, stylesheet)];
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  let raw = 0;
  let gzipped = 0;
  for (const file of shipped) {
    const bytes = fs.readFileSync(file);
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
    console.log(`console: ${path.relative(root, file)} ${kib(bytes.length)}`);
  }
  console.log(`console: bundle ${kib(raw)} (${kib(gzipped)} gzipped), written to ${path.relative(root, outdir)}`);
}

main().catch((error) => {
  console.error(`console build failed: ${error.message}`);
  process.exit(1);
});
