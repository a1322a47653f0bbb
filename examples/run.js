#!/usr/bin/env node
/**
 * Runs an example CDKTF app from its TypeScript source inside this repository: `.ts` files are transpiled
 * as they load (TypeScript's transpileModule, no type checking: `npx tsc -p examples` does that) and
 * `import ... from 'liftgate'` resolves to this package's build (lib/, made by `npm run build`).
 *
 * With --cdktn the same app runs on CDK Terrain: its imports of 'cdktf', 'constructs' and 'liftgate' resolve
 * to cdktn, the constructs version cdktn takes and the liftgate-cdktn build (packages/liftgate-cdktn/lib) —
 * what a CDK Terrain project gets by importing from 'cdktn' and 'liftgate-cdktn'.
 *
 * Usage (the `app` of a cdktf.json): node examples/run.js [--cdktn] examples/<name>/main.ts
 * In your own project, after `npm install liftgate cdktf constructs` (or `liftgate-cdktn cdktn constructs`),
 * run the app the usual way (ts-node, tsx, or compiled JS).
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const ts = require('typescript');

const repositoryRoot = path.join(__dirname, '..');
const args = process.argv.slice(2);
const onCdktn = args[0] === '--cdktn';
const appFile = onCdktn ? args[1] : args[0];
if (appFile === undefined || args.length !== (onCdktn ? 2 : 1)) {
  process.stderr.write('usage: node examples/run.js [--cdktn] <app.ts>\n');
  process.exit(1);
}

const cdktnPackage = path.join(repositoryRoot, 'packages', 'liftgate-cdktn');
const packageEntry = onCdktn ? path.join(cdktnPackage, 'lib', 'index.js') : path.join(repositoryRoot, 'lib', 'index.js');
if (!fs.existsSync(packageEntry)) {
  process.stderr.write(`examples/run.js: ${packageEntry} is missing: run \`npm run build\` first\n`);
  process.exit(1);
}

// The app's imports of 'liftgate', 'cdktf' and 'constructs' resolve to the build and to the libraries it was
// built against, so that the app and the library share one cdktf (or cdktn) and one constructs.
const libraryDirectory = onCdktn ? cdktnPackage : repositoryRoot;
const substitutes = {
  liftgate: packageEntry,
  cdktf: require.resolve(onCdktn ? 'cdktn' : 'cdktf', { paths: [libraryDirectory] }),
  constructs: require.resolve('constructs', { paths: [libraryDirectory] }),
};
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveForApp(request, ...rest) {
  return resolveFilename.call(this, substitutes[request] ?? request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

require(path.resolve(appFile));
