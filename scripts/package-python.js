#!/usr/bin/env node
/**
 * `npm run package:python`: the Python packages of both builds of the construct library, as wheels in
 * dist/wheels/: `liftgate` (for cdktf) and `liftgate-cdktn` (for CDK Terrain). Needs `npm run build` first.
 *
 * jsii-pacmak writes each package's Python sources (offline), then `python3 -m pip wheel` builds the wheel:
 * - by default in pip's isolated build environment, with the build requirements jsii-pacmak names in
 *   pyproject.toml (setuptools, build) installed from your package index: a stock Python with pip is enough;
 * - with --offline, without an index and without isolation (`--no-build-isolation --no-index`): the Python
 *   must already have setuptools (70.1 or newer, or an older one with the `wheel` module). That Python is
 *   --python PATH, or else the first `python3` on PATH that has them (the script says which it used and why
 *   it skipped others).
 * Usage: npm run package:python [-- --offline] [-- --python PATH]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repositoryRoot = path.resolve(__dirname, '..');
const wheelDirectory = path.join(repositoryRoot, 'dist', 'wheels');
/** The two jsii packages; jsii-pacmak writes each one's Python sources to <dir>/dist/python. */
const packages = [
  { name: 'liftgate', directory: repositoryRoot },
  { name: 'liftgate-cdktn', directory: path.join(repositoryRoot, 'packages', 'liftgate-cdktn') },
];

class UsageError extends Error {}

function parseArguments(argv) {
  const options = { offline: false, python: undefined };
  for (let index = 0; index < argv.length; index += 1) {
    if (argv[index] === '--offline') options.offline = true;
    else if (argv[index] === '--python' && argv[index + 1] !== undefined) options.python = argv[(index += 1)];
    else throw new UsageError(`unknown argument ${JSON.stringify(argv[index])}: usage: npm run package:python [-- --offline] [-- --python PATH]`);
  }
  return options;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { status: result.error === undefined ? result.status : null, error: result.error, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Every `python3` on PATH, in PATH order, each interpreter once. */
function pythonsOnPath() {
  const seen = new Set();
  const found = [];
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, 'python3');
    let real;
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      real = fs.realpathSync(candidate);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(candidate);
  }
  return found;
}

// Prints what an offline build needs from the interpreter: pip, and setuptools that can make a wheel
// (bdist_wheel is part of setuptools since 70.1; before that it comes from the `wheel` module).
const CAPABILITIES = `
import json, platform
from importlib import metadata
def version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
print(json.dumps({"python": platform.python_version(), "pip": version("pip"), "setuptools": version("setuptools"), "wheel": version("wheel")}))
`;

/** What `python` lacks for an offline wheel build (null when nothing), and how it describes itself. */
function offlineCapability(python) {
  const probe = run(python, ['-c', CAPABILITIES]);
  if (probe.status !== 0) return { problem: `does not run (${probe.error?.message ?? probe.output.trim().split('\n').pop()})`, description: python };
  const found = JSON.parse(probe.output.trim().split('\n').pop());
  const description = `${python} (Python ${found.python}, setuptools ${found.setuptools ?? 'missing'}${found.wheel === null ? '' : `, wheel ${found.wheel}`})`;
  if (found.pip === null) return { problem: 'has no pip', description };
  if (found.setuptools === null) return { problem: 'has no setuptools', description };
  const [major, minor] = found.setuptools.split('.').map(Number);
  const bundlesBdistWheel = major > 70 || (major === 70 && minor >= 1);
  if (!bundlesBdistWheel && found.wheel === null) return { problem: `has setuptools ${found.setuptools} without the wheel module (bdist_wheel)`, description };
  return { problem: null, description };
}

/** The interpreter for an offline build, with the reasons others on PATH were passed over. */
function offlinePython(requested) {
  if (requested !== undefined) {
    const { problem, description } = offlineCapability(requested);
    if (problem !== null) throw new Error(`--python ${requested} ${problem}: an offline build needs pip and setuptools 70.1 or newer (or setuptools with the wheel module)`);
    return { python: requested, description, skipped: [] };
  }
  const skipped = [];
  for (const candidate of pythonsOnPath()) {
    const { problem, description } = offlineCapability(candidate);
    if (problem === null) return { python: candidate, description, skipped };
    skipped.push(`${candidate} ${problem}`);
  }
  throw new Error(
    `no python3 on PATH can build a wheel offline (${skipped.join('; ') || 'there is none'}): install setuptools 70.1 or newer (or setuptools and wheel) ` +
      'into one (Debian: apt-get install python3-setuptools python3-wheel), name it with --python PATH, or build without --offline when a package index is reachable',
  );
}

/** The build requirements jsii-pacmak wrote into a package's pyproject.toml, for error messages. */
function buildRequirements(pythonDirectory) {
  const text = fs.readFileSync(path.join(pythonDirectory, 'pyproject.toml'), 'utf8');
  const requires = /^requires\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? '';
  return [...requires.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
}

function generatePythonSources(pkg) {
  const pacmak = path.join(path.dirname(require.resolve('jsii-pacmak/package.json', { paths: [repositoryRoot] })), 'bin', 'jsii-pacmak');
  if (!fs.existsSync(path.join(pkg.directory, '.jsii'))) throw new Error(`${path.join(pkg.directory, '.jsii')} is missing: run \`npm run build\` first`);
  // --code-only: pip builds the wheel below. --no-npmignore: the packages' `files` lists already say what npm publishes.
  const generated = run(process.execPath, [pacmak, '--targets', 'python', '--code-only', '--no-npmignore'], {
    cwd: pkg.directory,
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  });
  if (generated.status !== 0) throw new Error(`jsii-pacmak could not generate the Python sources of ${pkg.name}:\n${generated.output.trim()}`);
  return path.join(pkg.directory, 'dist', 'python');
}

function buildWheel(pkg, pythonDirectory, python, offline) {
  const flags = offline ? ['--no-build-isolation', '--no-index'] : [];
  const args = ['-m', 'pip', 'wheel', ...flags, '--no-deps', '-w', wheelDirectory, pythonDirectory];
  process.stdout.write(`$ ${python} ${args.join(' ')}\n`);
  const built = run(python, args, { cwd: repositoryRoot });
  if (built.status === 0) return;
  const lines = built.output.trim().split('\n');
  if (!offline && /No matching distribution found|Could not find a version that satisfies|Failed to establish a new connection/.test(built.output)) {
    const reason = lines.filter((line) => /ERROR: /.test(line)).map((line) => line.replace(/^\s*ERROR: /, '')).pop() ?? lines.pop();
    throw new Error(
      `pip could not install the build requirements of ${pkg.name} (${buildRequirements(pythonDirectory).join(', ')}) from your package index: ${reason}. ` +
        'Without a package index that has them, run `npm run package:python -- --offline`, which builds with the setuptools already installed in a local Python.',
    );
  }
  throw new Error(`pip wheel failed for ${pkg.name} (exit ${built.status ?? built.error?.message}):\n${lines.slice(-15).join('\n')}`);
}

function main(argv) {
  const options = parseArguments(argv);
  let python;
  if (options.offline) {
    const chosen = offlinePython(options.python);
    for (const reason of chosen.skipped) process.stdout.write(`skipped ${reason}\n`);
    process.stdout.write(`building offline with ${chosen.description}\n`);
    python = chosen.python;
  } else {
    python = options.python ?? 'python3';
    const pip = run(python, ['-m', 'pip', '--version']);
    if (pip.status !== 0) throw new Error(`${python} -m pip does not work (${pip.error?.message ?? pip.output.trim().split('\n').pop()}): install pip for it, or name another Python with --python PATH`);
  }
  fs.mkdirSync(wheelDirectory, { recursive: true });
  const { version } = JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8'));
  for (const pkg of packages) {
    const pythonDirectory = generatePythonSources(pkg);
    buildWheel(pkg, pythonDirectory, python, options.offline);
  }
  // Wheel file names spell the distribution with underscores (PEP 427).
  const built = packages.map((pkg) => `${pkg.name.replace(/-/g, '_')}-${version}-`);
  const wheels = fs.readdirSync(wheelDirectory).filter((name) => name.endsWith('.whl') && built.some((prefix) => name.startsWith(prefix)));
  process.stdout.write(`wheels in ${path.relative(process.cwd(), wheelDirectory) || '.'}: ${wheels.join(', ')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`package:python: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
