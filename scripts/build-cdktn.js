#!/usr/bin/env node
/**
 * `npm run build:cdktn`: builds the CDK Terrain edition of the construct library (the npm package
 * `liftgate-cdktn` in packages/liftgate-cdktn) from the same sources as the cdktf one.
 *
 * src/index.ts, src/constructs/ and the domain rules the constructs import (src/domain/, jsii-safe: pure and free
 * of Node modules, which test/repository/imports.test.ts checks) are copied into packages/liftgate-cdktn/src/ with
 * every import of 'cdktf' made an import of 'cdktn' (the one change CDK Terrain asks of code written for CDKTF); beside
 * them sit the L1 bindings @cdktn/provider-generator wrote from the providers' schemas
 * (packages/liftgate-cdktn/src/providers, committed and checked like src/providers). jsii then compiles
 * the package. The copies are build output (git ignores them): edit src/, never the copies.
 * Usage: node scripts/build-cdktn.js (after `npm run build:runtime`; `npm run build` runs both).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const repositoryRoot = path.resolve(__dirname, '..');
const cdktnPackage = path.join(repositoryRoot, 'packages', 'liftgate-cdktn');
/**
 * What is copied, relative to src/ (the generated providers/ differ per build and are not copied), besides the domain
 * modules these import.
 */
const sharedSources = ['index.ts', 'constructs'];

/** `specifier` as CDK Terrain names it: the `cdktf` module (or a path inside it) becomes `cdktn`. */
function cdktnSpecifier(specifier) {
  return specifier === 'cdktf' || specifier.startsWith('cdktf/') ? `cdktn${specifier.slice('cdktf'.length)}` : specifier;
}

/** Every module specifier of `source` (imports, re-exports, `import x = require()`, `import()` and import types). */
function moduleSpecifiers(sourceFile) {
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier);
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      found.push(node.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** The text of a TypeScript file with its `cdktf` module specifiers rewritten for CDK Terrain. */
function forCdktn(fileName, text) {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  let result = text;
  // From the end, so that earlier positions stay valid.
  for (const literal of moduleSpecifiers(sourceFile).sort((a, b) => b.getStart() - a.getStart())) {
    const rewritten = cdktnSpecifier(literal.text);
    if (rewritten === literal.text) continue;
    result = `${result.slice(0, literal.getStart() + 1)}${rewritten}${result.slice(literal.getEnd() - 1)}`;
  }
  return result;
}

function filesUnder(directory) {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The files of src/domain that `files` import, directly or through each other. */
function domainModulesOf(files, sourceRoot) {
  const domain = path.join(sourceRoot, 'domain');
  const found = new Set();
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.shift();
    if (!file.endsWith('.ts')) continue;
    const sourceFile = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const literal of moduleSpecifiers(sourceFile)) {
      if (!literal.text.startsWith('.')) continue;
      const target = `${path.resolve(path.dirname(file), literal.text)}.ts`;
      if (target.startsWith(`${domain}${path.sep}`) && !found.has(target)) {
        found.add(target);
        queue.push(target);
      }
    }
  }
  return [...found];
}

/** Replaces the copies in packages/liftgate-cdktn/src with fresh ones from src/. */
function stage() {
  const sourceRoot = path.join(repositoryRoot, 'src');
  const targetRoot = path.join(cdktnPackage, 'src');
  const shared = sharedSources.flatMap((entry) => {
    const from = path.join(sourceRoot, entry);
    return fs.statSync(from).isDirectory() ? filesUnder(from) : [from];
  });
  for (const entry of [...sharedSources, 'domain']) fs.rmSync(path.join(targetRoot, entry), { recursive: true, force: true });
  for (const file of [...shared, ...domainModulesOf(shared, sourceRoot)]) {
    const relative = path.relative(sourceRoot, file);
    const destination = path.join(targetRoot, relative);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    const text = fs.readFileSync(file, 'utf8');
    const header = `// Copied from src/${relative.split(path.sep).join('/')} by scripts/build-cdktn.js for CDK Terrain: edit that file, not this one.\n`;
    fs.writeFileSync(destination, file.endsWith('.ts') ? header + forCdktn(file, text) : text);
  }
}

function main(argv) {
  if (argv.length > 0) throw new Error(`usage: node scripts/build-cdktn.js (got: ${argv.join(' ')})`);
  stage();
  const jsii = path.join(path.dirname(require.resolve('jsii/package.json', { paths: [repositoryRoot] })), 'bin', 'jsii');
  execFileSync(process.execPath, [jsii, '--silence-warnings=reserved-word'], {
    cwd: cdktnPackage,
    stdio: 'inherit',
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  });
}

module.exports = { forCdktn };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`build:cdktn: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
