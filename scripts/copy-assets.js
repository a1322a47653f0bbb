// Copies the non-TypeScript files that the runtime loads (SQL migrations, .proto files, JSON, the terraform
// launcher's plain CommonJS script) from src/ to lib/,
// because tsc only emits what it compiles.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const assetExtensions = new Set(['.sql', '.proto', '.json', '.cjs']);

function copyAssets(fromDir, toDir) {
  for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    const to = path.join(toDir, entry.name);
    if (entry.isDirectory()) {
      copyAssets(from, to);
    } else if (assetExtensions.has(path.extname(entry.name))) {
      fs.mkdirSync(toDir, { recursive: true });
      fs.copyFileSync(from, to);
    }
  }
}

copyAssets(path.join(root, 'src'), path.join(root, 'lib'));
