/**
 * The construct library as other languages and CI see it: the jsii assembly's public API, API.md, the
 * committed provider bindings, and the Python package. Needs `npm run build` first (`npm test` does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const quietJsii = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };

interface JsiiTypeReference {
  fqn?: string;
  primitive?: string;
  collection?: { elementtype: JsiiTypeReference };
  union?: { types: JsiiTypeReference[] };
}

function readAssembly(): { types: Record<string, Record<string, unknown>> } {
  const path = join(root, '.jsii');
  if (!existsSync(path)) throw new Error('.jsii is missing: run `npm run build` first');
  return JSON.parse(readFileSync(path, 'utf8'));
}

function referencedFqns(reference: JsiiTypeReference | undefined): string[] {
  if (reference === undefined) return [];
  if (reference.fqn !== undefined) return [reference.fqn];
  if (reference.collection !== undefined) return referencedFqns(reference.collection.elementtype);
  if (reference.union !== undefined) return reference.union.types.flatMap(referencedFqns);
  return [];
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = join(directory, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'liftgate-packaging-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('jsii assembly', () => {
  test('the public API only uses liftgate, cdktf and constructs types, and nothing asynchronous', () => {
    const assembly = readAssembly();
    const foreign = new Set<string>();
    const asynchronous: string[] = [];
    for (const [fqn, type] of Object.entries(assembly.types)) {
      const members = [
        ...((type.properties as Array<{ type: JsiiTypeReference }>) ?? []).map((property) => property.type),
        ...((type.methods as Array<{ name: string; async?: boolean; returns?: { type: JsiiTypeReference }; parameters?: Array<{ type: JsiiTypeReference }> }>) ?? []).flatMap(
          (method) => {
            if (method.async) asynchronous.push(`${fqn}.${method.name}`);
            return [method.returns?.type, ...(method.parameters ?? []).map((parameter) => parameter.type)];
          },
        ),
        ...(((type.initializer as { parameters?: Array<{ type: JsiiTypeReference }> })?.parameters ?? []).map((parameter) => parameter.type)),
      ];
      for (const reference of members.flatMap((member) => referencedFqns(member))) {
        if (!/^(liftgate|cdktf|constructs)\./.test(reference)) foreign.add(`${fqn} uses ${reference}`);
      }
    }
    expect([...foreign]).toEqual([]);
    expect(asynchronous).toEqual([]);
    expect(Object.keys(assembly.types)).toEqual(
      expect.arrayContaining(['liftgate.Space', 'liftgate.BitbucketDatacenterIntegration', 'liftgate.LiftgateStack', 'liftgate.ISpace', 'liftgate.IIntegration']),
    );
  });

  test('jsii libraries are dependencies and peers; every other runtime dependency is bundled', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const jsiiLibraries = ['cdktf', 'constructs'];
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(jsiiLibraries);
    for (const library of jsiiLibraries) {
      expect(manifest.dependencies[library]).toBe(manifest.peerDependencies[library]);
      // jsii (JSII6): the devDependency pins the lowest version the peer range allows.
      expect(manifest.devDependencies[library]).toBe(manifest.peerDependencies[library].replace(/^\^/, ''));
    }
    const others = Object.keys(manifest.dependencies).filter((name) => !jsiiLibraries.includes(name));
    expect([...manifest.bundleDependencies].sort()).toEqual(others.sort());
  });

  test('API.md is what jsii-docgen generates from the current assembly (run `npm run docgen` after changing the API)', () => {
    readAssembly();
    const fresh = join(scratch, 'API.md');
    execFileSync(bin('jsii-docgen'), ['-o', fresh], { cwd: root, env: quietJsii, stdio: 'pipe' });
    expect(readFileSync(fresh, 'utf8') === readFileSync(join(root, 'API.md'), 'utf8')).toBe(true);
  }, 120_000);
});

test('the committed bindings in src/providers are what `npm run gen:providers` generates from the providers’ schemas', () => {
  const fresh = join(scratch, 'providers');
  execFileSync(process.execPath, [join(root, 'scripts', 'gen-providers.js'), '--out', fresh], { cwd: root, stdio: 'pipe' });
  const committed = join(root, 'src', 'providers');
  const listing = (directory: string) => filesUnder(directory).map((file) => relative(directory, file)).sort();
  expect(listing(fresh)).toEqual(listing(committed));
  const differing = listing(fresh).filter((file) => readFileSync(join(fresh, file), 'utf8') !== readFileSync(join(committed, file), 'utf8'));
  expect(differing).toEqual([]);
}, 120_000);

// Debian's python has setuptools and wheel as system packages; the wheel is built offline from them.
const python = '/usr/bin/python3';
const pythonCanBuildWheels = existsSync(python) && spawnSync(python, ['-c', 'import setuptools, wheel'], { stdio: 'ignore' }).status === 0;
if (!pythonCanBuildWheels) {
  // Stated in the output so a skipped run is never mistaken for a passing one.
  process.stderr.write(`packaging.test.ts: Python wheel test skipped: ${python} with setuptools and wheel is not available\n`);
}
(pythonCanBuildWheels ? test : test.skip)(
  'jsii-pacmak generates the Python package and a wheel builds offline',
  () => {
    readAssembly();
    const outdir = join(scratch, 'dist');
    execFileSync(bin('jsii-pacmak'), ['--targets', 'python', '--code-only', '--outdir', outdir], { cwd: root, env: quietJsii, stdio: 'pipe' });
    // Every generated module is valid Python, and the constructs are there under their own names.
    execFileSync(python, ['-m', 'compileall', '-q', join(outdir, 'python', 'src')], { stdio: 'pipe' });
    const rootModule = readFileSync(join(outdir, 'python', 'src', 'liftgate', '__init__.py'), 'utf8');
    for (const name of ['Space', 'BitbucketDatacenterIntegration', 'LiftgateStack', 'ISpace', 'IIntegration', 'WebhookEvent']) {
      expect(rootModule).toMatch(new RegExp(`^class ${name}\\b`, 'm'));
    }
    // examples/python/main.py only uses classes and keywords the generated package has.
    execFileSync(python, [join(__dirname, 'check_python_example.py'), join(outdir, 'python', 'src'), join(root, 'examples', 'python', 'main.py')], { stdio: 'pipe' });
    const wheels = join(scratch, 'wheels');
    execFileSync(python, ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-w', wheels, join(outdir, 'python')], { stdio: 'pipe' });
    const wheel = readdirSync(wheels).find((name) => name.endsWith('.whl'));
    expect(wheel).toMatch(/^liftgate-\d+\.\d+\.\d+-py3-none-any\.whl$/);
    const names = execFileSync(python, ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(wheels, wheel!)], {
      encoding: 'utf8',
    }).split('\n');
    expect(names).toEqual(expect.arrayContaining(['liftgate/__init__.py', 'liftgate/liftgate/__init__.py', 'liftgate/bitbucketdc/__init__.py']));
    expect(names.some((name) => /^liftgate\/_jsii\/liftgate@.*\.jsii\.tgz$/.test(name))).toBe(true);
  },
  300_000,
);
