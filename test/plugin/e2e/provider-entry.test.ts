import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './terraform-harness';

const entry = join(repoRoot, 'lib', 'cli', 'provider.js');

function runEntry(args: string[]) {
  return spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: '' } });
}

describe('the provider process entry point (lib/cli/provider.js)', () => {
  it('rejects an unknown provider type with one line and exit code 1, printing nothing on stdout', () => {
    const result = runEntry(['nosuch']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^liftgate provider: unknown provider type "nosuch" \(.+\)\n$/);
  });

  it('refuses a type that is a path', () => {
    const result = runEntry(['../cli/main']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown provider type "../cli/main"');
  });

  it('explains its usage when no type is given', () => {
    const result = runEntry([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^liftgate provider: usage: node lib\/cli\/provider\.js <type>/);
  });
});
