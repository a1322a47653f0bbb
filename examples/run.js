#!/usr/bin/env node
/**
 * Runs an example CDKTF app from its TypeScript source inside this repository: `.ts` files are transpiled
 * as they load (TypeScript's transpileModule, no type checking: `npx tsc -p examples` does that) and
 * `import ... from 'liftgate'` resolves to this package's build (lib/, made by `npm run build`).
 * Usage (the `app` of a cdktf.json): node examples/run.js examples/<name>/main.ts
 * In your own project, after `npm install liftgate cdktf constructs`, run the app the usual way (ts-node, tsx, or compiled JS).
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const ts = require('typescript');

const packageEntry = path.join(__dirname, '..', 'lib', 'index.js');
const appFile = process.argv[2];
if (appFile === undefined) {
  process.stderr.write('usage: node examples/run.js <app.ts>\n');
  process.exit(1);
}
if (!fs.existsSync(packageEntry)) {
  process.stderr.write(`examples/run.js: ${packageEntry} is missing: run \`npm run build\` first\n`);
  process.exit(1);
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveLiftgate(request, ...rest) {
  return resolveFilename.call(this, request === 'liftgate' ? packageEntry : request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

require(path.resolve(appFile));
