/**
 * One source, two builds: the CDK Terrain package (liftgate-cdktn) is src/ with its `cdktf` imports pointed at
 * `cdktn`, and every example synthesizes the same Terraform configuration with either library. Needs
 * `npm run build` first (`npm test` does it). test/e2e/cdktn deploys the quickstart with the cdktn CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { filesUnder } from '../helpers/files';

const root = join(__dirname, '..', '..');
const cdktnPackage = join(root, 'packages', 'liftgate-cdktn');
// Plain JavaScript (scripts/), required for its one pure function.
const { forCdktn } = require(join(root, 'scripts', 'build-cdktn.js')) as { forCdktn: (fileName: string, text: string) => string };

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'liftgate-cdktn-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the cdktn copy of the sources (scripts/build-cdktn.js)', () => {
  test('every way of naming the cdktf module is pointed at cdktn, and nothing else changes', () => {
    const source = [
      "import { Token } from 'cdktf';",
      'import * as cdktf from "cdktf";',
      "import type { IResolvable } from 'cdktf/lib/tokens';",
      "export { Lazy } from 'cdktf';",
      "import cdk = require('cdktf');",
      "type Stack = import('cdktf').TerraformStack;",
      "const later = import('cdktf');",
      "import { Construct } from 'constructs';",
      "import { Space } from '../providers/liftgate/space';",
      "const text = 'cdktf deploy'; // a string that is not a module name stays as it is",
    ].join('\n');
    expect(forCdktn('x.ts', source).split('\n')).toEqual([
      "import { Token } from 'cdktn';",
      'import * as cdktf from "cdktn";',
      "import type { IResolvable } from 'cdktn/lib/tokens';",
      "export { Lazy } from 'cdktn';",
      "import cdk = require('cdktn');",
      "type Stack = import('cdktn').TerraformStack;",
      "const later = import('cdktn');",
      "import { Construct } from 'constructs';",
      "import { Space } from '../providers/liftgate/space';",
      "const text = 'cdktf deploy'; // a string that is not a module name stays as it is",
    ]);
  });

  test('the built copies are src/index.ts and src/constructs/ with only their cdktf imports changed', () => {
    const sources = [join(root, 'src', 'index.ts'), ...filesUnder(join(root, 'src', 'constructs'))];
    for (const file of sources) {
      const relativePath = relative(join(root, 'src'), file);
      const copy = readFileSync(join(cdktnPackage, 'src', relativePath), 'utf8').split('\n');
      const original = readFileSync(file, 'utf8').split('\n');
      expect(copy[0]).toBe(`// Copied from src/${relativePath} by scripts/build-cdktn.js for CDK Terrain: edit that file, not this one.`);
      const changed = original.flatMap((line, index) => (line === copy[index + 1] ? [] : [[line, copy[index + 1]]]));
      expect({ file: relativePath, changed: changed.filter(([before, after]) => after !== before?.replace(/from 'cdktf'/, "from 'cdktn'")) }).toEqual({ file: relativePath, changed: [] });
      expect(copy.length).toBe(original.length + 1);
    }
    expect(filesUnder(join(cdktnPackage, 'src', 'constructs')).length).toBe(sources.length - 1);
  });

  test('the compiled liftgate-cdktn never loads cdktf', () => {
    const compiled = filesUnder(join(cdktnPackage, 'lib')).filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'));
    expect(compiled.length).toBeGreaterThan(10);
    expect(compiled.filter((file) => /require\("cdktf["/]|from ["']cdktf["/]/.test(readFileSync(file, 'utf8'))).map((file) => relative(root, file))).toEqual([]);
  });
});

const environment = { ...process.env, BITBUCKET_URL: 'https://bitbucket.example.com', BITBUCKET_TOKEN: 'token', LIFTGATE_REPOSITORIES: 'PLAT/network,PLAT/dns' };

/** Runs an app through examples/run.js (with --cdktn on CDK Terrain) into its own output directory. */
function synthesize(app: string, onCdktn: boolean, outdir: string) {
  const args = [join(root, 'examples', 'run.js'), ...(onCdktn ? ['--cdktn'] : []), app];
  return spawnSync(process.execPath, args, { cwd: scratch, env: { ...environment, CDKTF_OUTDIR: outdir }, encoding: 'utf8', timeout: 60_000 });
}

/** The synthesized stacks of an output directory without the `//` metadata, which names the library and its version. */
function stacksIn(outdir: string): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.fromEntries(
    Object.entries(manifest.stacks).map(([name, stack]) => [
      name,
      JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8'), (key, value) => (key === '//' ? undefined : value)),
    ]),
  );
}

describe.each(['quickstart', 'nested-spaces', 'project-fan-out'])('examples/%s', (example) => {
  test('synthesizes the same Terraform configuration with liftgate on cdktf and with liftgate-cdktn on cdktn', () => {
    const app = join(root, 'examples', example, 'main.ts');
    const outputs = [false, true].map((onCdktn) => {
      const outdir = join(scratch, `${example}-${onCdktn ? 'cdktn' : 'cdktf'}`);
      const result = synthesize(app, onCdktn, outdir);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      return stacksIn(outdir);
    });
    expect(Object.keys(outputs[0]!).length).toBeGreaterThan(0);
    expect(outputs[1]).toEqual(outputs[0]);
  }, 120_000);
});

test('a mistake in the props is reported the same way by both builds', () => {
  const app = join(scratch, 'invalid.ts');
  writeFileSync(
    app,
    [
      "import { App, TerraformStack } from 'cdktf';",
      "import { BitbucketDatacenterIntegration, Space } from 'liftgate';",
      'const app = new App();',
      "const stack = new TerraformStack(app, 'platform');",
      "const space = new Space(stack, 'Team', { name: 'Team' });",
      "new BitbucketDatacenterIntegration(stack, 'Bitbucket', { name: '', isDefault: true, space, apiHost: 'ftp://x', username: 'bot', accessToken: 't' });",
      'app.synth();',
    ].join('\n'),
  );
  const [cdktf, cdktn] = [false, true].map((onCdktn) => synthesize(app, onCdktn, join(scratch, `invalid-${onCdktn}`)));
  const firstLines = (stderr: string) => stderr.split('\n').filter((line) => /^Error: Invalid |^ {2}- /.test(line));
  expect(cdktf!.status).not.toBe(0);
  expect(firstLines(cdktf!.stderr)).toEqual([
    'Error: Invalid BitbucketDatacenterIntegration at "platform/Bitbucket" (3 problems):',
    expect.stringMatching(/^ {2}- name: /),
    expect.stringMatching(/^ {2}- space: /),
    expect.stringMatching(/^ {2}- apiHost: /),
  ]);
  expect(cdktn!.status).toBe(cdktf!.status);
  expect(firstLines(cdktn!.stderr)).toEqual(firstLines(cdktf!.stderr));
}, 120_000);
