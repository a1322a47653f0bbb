import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * A fresh clone has nothing beside it: no test, benchmark, example or script may read a path outside the
 * repository. This scans their sources for the ways such a path gets written.
 */
const root = resolve(__dirname, '..', '..');
const SCANNED = ['src', 'test', 'bench', 'scripts', 'examples', 'bin', '.ci'];
const TEXT = /\.(ts|tsx|js|cjs|mjs|json|sh|py)$|^run$|^liftgate$/;
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'fixtures', 'cdktf.out', '.gen']);

/** Spelled in pieces so that this file does not match its own patterns. */
const FORBIDDEN: Array<{ pattern: RegExp; why: string }> = [
  { pattern: new RegExp('\\.\\.' + '/shared\\b'), why: 'names the shared folder beside the repository' },
  { pattern: new RegExp('LIFTGATE_' + 'SHARED_DIR'), why: 'reads the shared folder from the environment' },
  { pattern: new RegExp(`['"\`]/${'work'}/`), why: 'names an absolute path of this machine' },
];

/** Every problem in one file's text: a forbidden name, or a relative path that resolves above the root. */
function pathsLeavingRepository(file: string, text: string, repositoryRoot: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  const inside = (target: string) => {
    const rel = relative(repositoryRoot, target);
    return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
  };
  lines.forEach((line, index) => {
    const where = `${relative(repositoryRoot, file)}:${index + 1}`;
    for (const { pattern, why } of FORBIDDEN) if (pattern.test(line)) problems.push(`${where} ${why}`);
    // join(__dirname, '..', '..', …) and resolve(__dirname, …)
    for (const match of line.matchAll(/(?:join|resolve)\(\s*__dirname((?:\s*,\s*['"]\.\.['"])+)/g)) {
      const ups = (match[1].match(/\.\./g) ?? []).length;
      const target = resolve(dirname(file), ...Array<string>(ups).fill('..'));
      if (!inside(target)) problems.push(`${where} goes ${ups} levels up from its folder, out of the repository`);
    }
    // '../../x' literals, imports included
    for (const match of line.matchAll(/['"`]((?:\.\.\/)+)[^'"`]*['"`]/g)) {
      if (!inside(resolve(dirname(file), match[1]))) problems.push(`${where} names ${match[0]}, outside the repository`);
    }
  });
  return problems;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return SKIPPED_DIRECTORIES.has(name) ? [] : filesUnder(path);
    return TEXT.test(name) ? [path] : [];
  });
}

describe('the repository is self-contained', () => {
  it('no source, test, benchmark, example or script names a path outside the repository', () => {
    const files = SCANNED.flatMap((folder) => filesUnder(join(root, folder)));
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) => pathsLeavingRepository(file, readFileSync(file, 'utf8'), root));
    expect(problems).toEqual([]);
  });

  it('the check finds each way of leaving the repository', () => {
    const file = join(root, 'test', 'contract', 'openapi.ts');
    // Built from pieces, so that the scan of this file does not find them.
    const up = "'..'";
    const shared = '..' + '/shared';
    const threeUp = '../'.repeat(3);
    expect(pathsLeavingRepository(file, `const f = join(__dirname, ${up}, ${up}, ${up}, 'x');`, root)).toHaveLength(1);
    expect(pathsLeavingRepository(file, `const f = join(__dirname, ${up}, ${up}, 'x');`, root)).toEqual([]);
    expect(pathsLeavingRepository(file, `readFileSync('${threeUp}x.json')`, root)).toHaveLength(1);
    expect(pathsLeavingRepository(file, `import { a } from '../../src/a';`, root)).toEqual([]);
    expect(pathsLeavingRepository(file, `const f = '${shared}/reference';`, root)).toHaveLength(1);
    expect(pathsLeavingRepository(file, `process.env.LIFTGATE_${'SHARED_DIR'}`, root)).toHaveLength(1);
  });
});
