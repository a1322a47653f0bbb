import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's root: the nearest directory above this file whose package.json is Liftgate's. The
 * TypeScript benchmarks run from a compiled copy under node_modules/.cache, so a fixed number of `..`
 * would depend on where tsc put them.
 */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'liftgate') return dir;
    if (dirname(dir) === dir) throw new Error(`no liftgate package.json above ${from}`);
  }
}
