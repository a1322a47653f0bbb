import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './terraform-harness';

// lib/cli/provider.js is the module; lib/provider/provider.js the bundle of it that installed providers run.
describe.each([join(repoRoot, 'lib', 'cli', 'provider.js'), join(repoRoot, 'lib', 'provider', 'provider.js')])('the provider process entry point %s', (entry) => {
  function runEntry(args: string[]) {
    return spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: '' } });
  }

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
    expect(result.stderr).toMatch(/^liftgate provider: usage: provider\.js <type> \(known types: bitbucketdc, liftgate\)\n$/);
  });
});
