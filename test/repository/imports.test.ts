/**
 * ARCHITECTURE.md's import rule, checked on every source file: imports point down only (cli → terraform | server |
 * worker | emulator | agent | clients → plugin | domain), never sideways between parts at one level, and the parts
 * that other hosts load (the jsii constructs, the browser console) import only what those hosts can run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/cli';

const srcDir = join(repoRoot, 'src');

/**
 * What each part (top-level folder of src/, or index.ts) may import besides its own files. An entry is a part or a
 * module path below src/ (without extension); a module path allows that module only.
 */
const ALLOWED: Record<string, readonly string[]> = {
  index: ['constructs', 'providers'],
  constructs: ['providers', 'domain'],
  providers: [],
  domain: [],
  plugin: [],
  clients: ['domain'],
  emulator: ['domain'],
  server: ['domain', 'clients'],
  terraform: ['plugin', 'clients', 'domain'],
  worker: ['clients', 'domain'],
  agent: ['clients', 'domain'],
  // Browser code: the API's types come in as types (test/console/imports.test.ts checks that they are type-only).
  console: ['domain', 'server/schemas', 'server/webhooks/schemas'],
  // The commands start the control plane through its one start-up function, never reach into its app, routes, store
  // or receiver.
  cli: ['terraform', 'worker', 'emulator', 'agent', 'clients', 'plugin', 'domain', 'server/start', 'server/logging'],
};

/** Folders of one part that must not import each other (the two API clients share only clients/*.ts). */
const SEPARATE: readonly (readonly string[])[] = [['clients/bitbucket', 'clients/liftgate']];

/** Parts whose code other hosts load: constructs (jsii, for Python too) and the console (a browser bundle). */
const ONLY_PACKAGES: Record<string, readonly string[]> = {
  constructs: ['cdktf', 'constructs'],
  providers: ['cdktf', 'constructs'],
  index: [],
  console: ['preact', 'preact/hooks', 'preact/jsx-runtime', 'marked', 'dompurify', 'zod'],
};

export interface SourceFile {
  /** Path below src/, with `/` separators. */
  path: string;
  text: string;
}

/** Every module specifier of a file: imports, re-exports, `import()`, `require()` and import types. */
function specifiers(file: SourceFile): string[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true, file.path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0] as ts.Node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) found.push((node.arguments[0] as ts.StringLiteral).text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function partOf(path: string): string {
  return path.includes('/') ? (path.split('/')[0] as string) : path.replace(/\.tsx?$/, '');
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}

/** The domain modules `path` reaches through its own imports (itself included). */
function domainClosure(path: string, importsOf: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const queue = [path];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(importsOf.get(next) ?? []).filter((target) => target.startsWith('domain/')));
  }
  return [...seen];
}

/** Every import of `files` that breaks the rule, as "from: imports target (why)". */
export function importViolations(files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  const moduleOf = new Map(files.map((file) => [file.path.replace(/\.tsx?$/, ''), file]));
  const localImports = new Map<string, string[]>();
  const packageImports = new Map<string, string[]>();
  for (const file of files) {
    const from = file.path.replace(/\.tsx?$/, '');
    const locals: string[] = [];
    const packages: string[] = [];
    for (const specifier of specifiers(file)) {
      if (!specifier.startsWith('.')) {
        packages.push(specifier);
        continue;
      }
      const target = relative(srcDir, resolve(dirname(join(srcDir, file.path)), specifier)).split('\\').join('/');
      locals.push(moduleOf.has(target) ? target : moduleOf.has(`${target}/index`) ? `${target}/index` : target);
    }
    localImports.set(from, locals);
    packageImports.set(from, packages);
  }

  for (const [from, targets] of localImports) {
    const part = partOf(from);
    const allowed = ALLOWED[part];
    for (const target of targets) {
      if (target.startsWith('..')) {
        problems.push(`${from}: imports ${target} (outside src/)`);
        continue;
      }
      const targetPart = partOf(target);
      if (targetPart === part) {
        const separated = SEPARATE.find((group) => group.some((folder) => from.startsWith(`${folder}/`)));
        const other = separated?.find((folder) => target.startsWith(`${folder}/`) && !from.startsWith(`${folder}/`));
        if (other !== undefined) problems.push(`${from}: imports ${target} (sideways: ${other} is a sibling, not below)`);
        continue;
      }
      if (allowed === undefined) {
        problems.push(`${from}: is in no part ARCHITECTURE.md names`);
        continue;
      }
      const permitted = allowed.some((entry) => (entry.includes('/') ? target === entry : targetPart === entry));
      if (!permitted) problems.push(`${from}: imports ${target} (${part} may import ${allowed.length === 0 ? 'nothing outside itself' : allowed.join(', ')})`);
    }
  }

  for (const [from, packages] of packageImports) {
    const only = ONLY_PACKAGES[partOf(from)];
    if (only === undefined) continue;
    for (const name of packages) {
      if (!only.includes(name)) problems.push(`${from}: imports the package ${name} (${partOf(from)} is loaded by another host)`);
    }
  }

  // Domain modules the console or the constructs use run in a browser and in jsii hosts: no Node modules there.
  for (const [from, targets] of localImports) {
    if (partOf(from) !== 'console' && partOf(from) !== 'constructs') continue;
    for (const target of targets.filter((candidate) => candidate.startsWith('domain/'))) {
      for (const reached of domainClosure(target, localImports)) {
        for (const name of (packageImports.get(reached) ?? []).filter(isBuiltin)) {
          problems.push(`${from}: uses ${reached}, which imports ${name} (not available where ${partOf(from)} runs)`);
        }
      }
    }
  }
  return problems;
}

function sourcesUnder(directory: string): SourceFile[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [{ path: relative(srcDir, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }] : [];
  });
}

describe('the import rule of ARCHITECTURE.md', () => {
  it('holds for every source file', () => {
    const files = sourcesUnder(srcDir);
    expect(files.length).toBeGreaterThan(150);
    expect(importViolations(files)).toEqual([]);
  });

  it('finds imports that point up or sideways, and what another host cannot load', () => {
    const file = (path: string, ...imports: string[]) => ({ path, text: imports.map((specifier) => `import { x } from '${specifier}';`).join('\n') });
    const files = [
      file('cli/drift/check.ts', '../../server/webhooks/payloads', '../../clients/bitbucket', '../../domain/webhook-events'),
      file('clients/bitbucket/client.ts', '../liftgate/client', '../transport'),
      file('clients/transport.ts'),
      file('clients/liftgate/client.ts'),
      file('domain/runs.ts', '../server/store/runs', './git'),
      file('domain/git.ts'),
      file('domain/hosts.ts', 'node:net'),
      file('server/store/runs.ts', '../../cli/main'),
      file('cli/main.ts'),
      file('server/webhooks/payloads.ts'),
      file('plugin/serve.ts', '../clients/transport'),
      file('constructs/stack.ts', 'cdktf', 'axios', '../domain/hosts', '../domain/git'),
      file('console/app.tsx', 'preact', '../domain/runs'),
    ];
    expect(importViolations(files)).toEqual([
      'cli/drift/check: imports server/webhooks/payloads (cli may import terraform, worker, emulator, agent, clients, plugin, domain, server/start, server/logging)',
      'clients/bitbucket/client: imports clients/liftgate/client (sideways: clients/liftgate is a sibling, not below)',
      'domain/runs: imports server/store/runs (domain may import nothing outside itself)',
      'server/store/runs: imports cli/main (server may import domain, clients)',
      'plugin/serve: imports clients/transport (plugin may import nothing outside itself)',
      'constructs/stack: imports the package axios (constructs is loaded by another host)',
      'constructs/stack: uses domain/hosts, which imports node:net (not available where constructs runs)',
    ]);
  });
});
