import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers/cli';

/**
 * The console is browser code (ARCHITECTURE): it imports only its own files, its UI libraries, the API's types
 * and the pure domain rules. The server's zod schemas come in as types only, so zod stays out of the bundle.
 */
const consoleDir = join(repoRoot, 'src', 'console');

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const LIBRARIES = new Set(['preact', 'preact/hooks', 'marked', 'dompurify']);
const TYPES_ONLY = /^(\.\.\/)+server\/(schemas|webhooks\/schemas)$|^zod$/;
const DOMAIN_RULES = /^(\.\.\/)+domain\/[a-z-]+$/;

/** What `text` (a console source file named `where`) imports that browser code may not. */
function importProblems(where: string, text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)';/gms)) {
    const typeOnly = match[1] !== undefined;
    const specifier = match[2] as string;
    const own = specifier.startsWith('.') && !relative(consoleDir, resolve(dirname(join(repoRoot, where)), specifier)).startsWith('..');
    if (own || LIBRARIES.has(specifier) || DOMAIN_RULES.test(specifier)) continue;
    if (TYPES_ONLY.test(specifier)) {
      if (!typeOnly) problems.push(`${where}: ${specifier} must be an \`import type\``);
      continue;
    }
    problems.push(`${where}: ${specifier} is not allowed in browser code`);
  }
  for (const match of text.matchAll(/^import\s+'([^']+)';/gm)) {
    if (!(match[1] as string).endsWith('.css')) problems.push(`${where}: side-effect import ${match[1]}`);
  }
  return problems;
}

describe('the console imports', () => {
  it('only its own files, its UI libraries, the API types (as types) and the domain rules', () => {
    const files = sources(consoleDir);
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((file) => importProblems(relative(repoRoot, file), readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('finds a value import of the server schemas, a Node module and server code as the problems they are', () => {
    const text = [
      "import { stack } from '../server/schemas';",
      "import type { run } from '../server/webhooks/schemas';",
      "import { readFileSync } from 'node:fs';",
      "import { buildApp } from '../server/app';",
      "import { slugify } from '../domain/spaces';",
      "import { LiftgateClient } from '../clients/liftgate';",
      "import { render } from 'preact';",
      "import { Link } from './router';",
      "import './styles.css';",
    ].join('\n');
    expect(importProblems('src/console/x.ts', text)).toEqual([
      'src/console/x.ts: ../server/schemas must be an `import type`',
      'src/console/x.ts: node:fs is not allowed in browser code',
      'src/console/x.ts: ../server/app is not allowed in browser code',
      'src/console/x.ts: ../clients/liftgate is not allowed in browser code',
    ]);
  });
});
