/**
 * The construct library as other languages and CI see it, in both builds (`liftgate` for cdktf and
 * `liftgate-cdktn` for CDK Terrain): the jsii assemblies' public API, API.md, the committed provider
 * bindings, and the Python packages. Needs `npm run build` first (`npm test` does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { filesUnder } from '../helpers/files';

const root = join(__dirname, '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const quietJsii = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };

/** The two jsii packages built from src/: where each lives, the CDK library it builds on, its Python module. */
const builds = [
  { name: 'liftgate', directory: root, cdk: 'cdktf', pythonModule: 'liftgate', bindings: join(root, 'src', 'providers') },
  {
    name: 'liftgate-cdktn',
    directory: join(root, 'packages', 'liftgate-cdktn'),
    cdk: 'cdktn',
    pythonModule: 'liftgate_cdktn',
    bindings: join(root, 'packages', 'liftgate-cdktn', 'src', 'providers'),
  },
] as const;

interface JsiiTypeReference {
  fqn?: string;
  primitive?: string;
  collection?: { elementtype: JsiiTypeReference };
  union?: { types: JsiiTypeReference[] };
}

interface Assembly {
  name: string;
  types: Record<string, Record<string, unknown>>;
  targets: { python: { distName: string; module: string } };
}

function readAssembly(directory: string): Assembly {
  const path = join(directory, '.jsii');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

function readManifest(directory: string) {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
}

function referencedFqns(reference: JsiiTypeReference | undefined): string[] {
  if (reference === undefined) return [];
  if (reference.fqn !== undefined) return [reference.fqn];
  if (reference.collection !== undefined) return referencedFqns(reference.collection.elementtype);
  if (reference.union !== undefined) return reference.union.types.flatMap(referencedFqns);
  return [];
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'liftgate-packaging-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(builds)('jsii assembly of $name', (build) => {
  test(`the public API only uses ${build.name}, ${build.cdk} and constructs types, and nothing asynchronous`, () => {
    const assembly = readAssembly(build.directory);
    expect(assembly.name).toBe(build.name);
    const foreign = new Set<string>();
    const asynchronous: string[] = [];
    const allowed = new RegExp(`^(${build.name}|${build.cdk}|constructs)\\.`);
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
        if (!allowed.test(reference)) foreign.add(`${fqn} uses ${reference}`);
      }
    }
    expect([...foreign]).toEqual([]);
    expect(asynchronous).toEqual([]);
    expect(Object.keys(assembly.types)).toEqual(
      expect.arrayContaining(['Space', 'BitbucketDatacenterIntegration', 'LiftgateStack', 'ISpace', 'IIntegration'].map((name) => `${build.name}.${name}`)),
    );
    expect(assembly.targets.python).toEqual({ distName: build.name, module: build.pythonModule });
  });

  test('jsii libraries are dependencies and peers; every other runtime dependency is bundled', () => {
    const manifest = readManifest(build.directory);
    const jsiiLibraries = [build.cdk, 'constructs'].sort();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(jsiiLibraries);
    for (const library of jsiiLibraries) {
      expect(manifest.dependencies[library]).toBe(manifest.peerDependencies[library]);
      // jsii (JSII6): the devDependency pins the lowest version the peer range allows.
      expect(manifest.devDependencies[library]).toBe(manifest.peerDependencies[library].replace(/^\^/, ''));
    }
    const others = Object.keys(manifest.dependencies).filter((name) => !jsiiLibraries.includes(name));
    expect([...(manifest.bundleDependencies ?? [])].sort()).toEqual(others.sort());
  });

  test('API.md is what jsii-docgen generates from the current assembly (run `npm run docgen` after changing the API)', () => {
    readAssembly(build.directory);
    const fresh = join(scratch, `${build.name}-API.md`);
    execFileSync(bin('jsii-docgen'), ['-o', fresh], { cwd: build.directory, env: quietJsii, stdio: 'pipe' });
    expect(readFileSync(fresh, 'utf8') === readFileSync(join(build.directory, 'API.md'), 'utf8')).toBe(true);
  }, 120_000);
});

test('one source, two builds: both assemblies have the same types, documented the same way', () => {
  const [cdktf, cdktn] = builds.map((build) => readAssembly(build.directory));
  const shape = (assembly: Assembly, name: string) =>
    Object.fromEntries(Object.entries(assembly.types).map(([fqn, type]) => [fqn.slice(name.length + 1), (type.docs as { summary?: string } | undefined)?.summary]));
  expect(shape(cdktn!, 'liftgate-cdktn')).toEqual(shape(cdktf!, 'liftgate'));
});

test('the two packages are published together: same version, license, author, repository and supported Node', () => {
  const [cdktf, cdktn] = builds.map((build) => readManifest(build.directory));
  for (const field of ['version', 'license', 'author', 'engines', 'stability']) expect({ [field]: cdktn[field] }).toEqual({ [field]: cdktf[field] });
  expect(cdktn.repository).toEqual({ ...cdktf.repository, directory: 'packages/liftgate-cdktn' });
});

test('the liftgate tarball ships the bundled provider process and not the runtime it bundles', () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ files: Array<{ path: string }> }>;
  const paths = packed[0]!.files.map((file) => file.path);
  expect(paths).toEqual(expect.arrayContaining(['lib/provider/provider.js', 'lib/provider/proto/tfplugin6.proto', 'lib/cli/main.js', 'lib/emulator/index.d.ts']));
  // Only the bundle runs the providers: the modules it was made from, and what only they need, stay home.
  const unbundled = /^(lib\/plugin\/|lib\/terraform\/|lib\/cli\/provider\.|node_modules\/(@grpc|protobufjs|@msgpack|@types)\/?)/;
  expect(paths.filter((path) => unbundled.test(path))).toEqual([]);
  expect(paths.filter((path) => /^lib\/.*\.js\.map$/.test(path) && !path.startsWith('lib/console/'))).toEqual([]);
}, 120_000);

test('the committed bindings are what `npm run gen:providers` generates from the providers’ schemas, with @cdktf/ and @cdktn/provider-generator', () => {
  const fresh = join(scratch, 'providers');
  execFileSync(process.execPath, [join(root, 'scripts', 'gen-providers.js'), '--out', fresh], { cwd: root, stdio: 'pipe' });
  const listing = (directory: string) => filesUnder(directory).map((file) => relative(directory, file)).sort();
  for (const build of builds) {
    const generated = join(fresh, build.cdk);
    expect(listing(generated)).toEqual(listing(build.bindings));
    const differing = listing(generated).filter((file) => readFileSync(join(generated, file), 'utf8') !== readFileSync(join(build.bindings, file), 'utf8'));
    expect({ [build.name]: differing }).toEqual({ [build.name]: [] });
    // Each generator binds its own library: nothing of the other one leaks in.
    const other = build.cdk === 'cdktf' ? 'cdktn' : 'cdktf';
    expect(listing(generated).filter((file) => readFileSync(join(generated, file), 'utf8').includes(`from '${other}'`))).toEqual([]);
  }
}, 120_000);

const pythonOnPath = (process.env.PATH ?? '').split(delimiter).some((directory) => directory !== '' && existsSync(join(directory, 'python3')));
if (!pythonOnPath) {
  // Stated in the output so a skipped run is never mistaken for a passing one.
  process.stderr.write('packaging.test.ts: Python packaging tests skipped: there is no python3 on PATH\n');
}

(pythonOnPath ? describe : describe.skip)('npm run package:python (the command the README gives Python users)', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

  test('by default pip builds in an isolated environment from the package index, and says what to do when the index cannot serve the build requirements', () => {
    // PIP_NO_INDEX stands for a machine whose index is unreachable: the build requirements cannot be found.
    const result = spawnSync(npm, ['run', '--silent', 'package:python'], { cwd: root, env: { ...quietJsii, PIP_NO_INDEX: '1' }, encoding: 'utf8', timeout: 240_000 });
    expect(result.stdout).toMatch(/^\$ python3 -m pip wheel --no-deps -w \S+ \S+dist\/python$/m);
    expect(result.stdout).not.toContain('--no-build-isolation');
    expect(result.stderr).toMatch(/package:python: pip could not install the build requirements of liftgate \(setuptools\S*, build\S*\) from your package index: .*npm run package:python -- --offline/);
    expect(result.status).toBe(1);
  }, 240_000);

  test('with --offline both wheels build from a local Python, and the generated packages match examples/python/main.py', () => {
    const result = spawnSync(npm, ['run', '--silent', 'package:python', '--', '--offline'], { cwd: root, env: quietJsii, encoding: 'utf8', timeout: 300_000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    // It names the Python it used, and why it passed over any before it on PATH.
    expect(result.stdout).toMatch(/^building offline with \S+python3 \(Python [\d.]+, setuptools [\d.]+.*\)$/m);
    expect(result.stdout).toMatch(/--no-build-isolation --no-index --no-deps/);
    const { version } = readManifest(root);
    for (const build of builds) {
      const pythonSources = join(build.directory, 'dist', 'python', 'src');
      // Every generated module is valid Python, and the constructs are there under their own names.
      execFileSync('python3', ['-m', 'compileall', '-q', pythonSources], { stdio: 'pipe' });
      const rootModule = readFileSync(join(pythonSources, build.pythonModule, '__init__.py'), 'utf8');
      for (const name of ['Space', 'BitbucketDatacenterIntegration', 'LiftgateStack', 'ISpace', 'IIntegration', 'WebhookEvent']) {
        expect(rootModule).toMatch(new RegExp(`^class ${name}\\b`, 'm'));
      }
      // examples/python/main.py only uses classes and keywords the generated package has (its `liftgate`
      // imports read as `liftgate_cdktn` for the CDK Terrain build).
      execFileSync('python3', [join(__dirname, 'check_python_example.py'), pythonSources, join(root, 'examples', 'python', 'main.py'), build.pythonModule], { stdio: 'pipe' });

      const wheel = join(root, 'dist', 'wheels', `${build.pythonModule}-${version}-py3-none-any.whl`);
      const names = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', wheel], { encoding: 'utf8' }).split('\n');
      const module = build.pythonModule;
      expect(names).toEqual(expect.arrayContaining([`${module}/__init__.py`, `${module}/liftgate/__init__.py`, `${module}/bitbucketdc/__init__.py`]));
      expect(names.some((name) => name.startsWith(`${module}/_jsii/${build.name}@${version}.jsii.tgz`))).toBe(true);
      const metadata = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(sys.argv[2]).decode())', wheel, `${module}-${version}.dist-info/METADATA`], {
        encoding: 'utf8',
      });
      expect(metadata).toMatch(new RegExp(`^Requires-Dist: ${build.cdk} `, 'm'));
    }
  }, 300_000);
});
