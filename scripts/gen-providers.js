#!/usr/bin/env node
/**
 * `npm run gen:providers`: regenerates the L1 bindings of both builds of the construct library from the
 * providers' own schemas: src/providers/ for cdktf (by @cdktf/provider-generator) and
 * packages/liftgate-cdktn/src/providers/ for CDK Terrain (by @cdktn/provider-generator).
 *
 * The schemas come from the real plugins, the way `cdktf get` reads them: both providers are installed
 * into a throw-away mirror directory (`liftgate provider install --dir`), `terraform init` resolves them
 * from it offline and `terraform providers schema -json` asks the running plugins; both generators get the
 * same schemas. Usage: node scripts/gen-providers.js [--out DIR] (default: the two folders above; with
 * --out, DIR/cdktf and DIR/cdktn). Needs a built lib/, which `npm run build` makes.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repositoryRoot = path.resolve(__dirname, '..');
const providerTypes = ['liftgate', 'bitbucketdc'];

/** The two builds: which generator writes their bindings, and where they are committed. */
const flavours = {
  cdktf: { generator: '@cdktf/provider-generator', committed: path.join(repositoryRoot, 'src', 'providers') },
  cdktn: { generator: '@cdktn/provider-generator', committed: path.join(repositoryRoot, 'packages', 'liftgate-cdktn', 'src', 'providers') },
};

/** Runs terraform in `directory` with an environment that can only reach the mirror, never a registry. */
function terraform(args, directory, mirror) {
  const cliConfig = path.join(directory, 'terraform.rc');
  fs.writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/liftgate/*"]\n  }\n}\n`,
  );
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  delete env.TF_PLUGIN_CACHE_DIR;
  delete env.TF_DATA_DIR;
  return execFileSync('terraform', args, { cwd: directory, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Reads `terraform providers schema -json` (plus each provider's version) from the installed plugins. */
function readProviderSchemas() {
  const version = JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')).version;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'liftgate-gen-providers-'));
  try {
    const mirror = path.join(work, 'mirror');
    execFileSync(process.execPath, [path.join(repositoryRoot, 'bin', 'liftgate'), 'provider', 'install', '--dir', mirror], { stdio: ['ignore', 'pipe', 'inherit'] });
    const requiredProviders = Object.fromEntries(providerTypes.map((type) => [type, { source: `liftgate/${type}`, version }]));
    fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: requiredProviders } }, null, 2));
    terraform(['init', '-input=false', '-backend=false', '-no-color'], work, mirror);
    const schema = JSON.parse(terraform(['providers', 'schema', '-json'], work, mirror));
    schema.provider_versions = Object.fromEntries(Object.keys(schema.provider_schemas).map((fqn) => [fqn, version]));
    return schema;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Adds `override` to the generated members that override cdktf (or cdktn) base classes: the repository's
 * tsconfig has noImplicitOverride and type-checks src/ (jsii alone would not need it).
 */
function adaptGeneratedSource(text) {
  return text
    .replace(/^(\s+)(public|protected) (?!override )((?:get |set )?(?:synthesizeAttributes|synthesizeHclAttributes|alias)\b)/gm, '$1$2 override $3')
    .replace(/\bprotected (terraformResource|terraformAttribute|wrapsSet):/g, 'protected override $1:');
}

function walk(directory) {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/**
 * Writes bindings for every provider of `schema` into `outDir` (replacing it), one namespace per provider,
 * with the generator of `flavour` ('cdktf' or 'cdktn').
 */
async function generateBindings(schema, outDir, flavour) {
  // Loading a generator runs `terraform version`; a missing CLI config file makes Terraform print a
  // warning that the generator's logger reports as an [ERROR]. An empty config (the null device) keeps the output clean.
  if (!fs.existsSync(process.env.TF_CLI_CONFIG_FILE ?? '')) process.env.TF_CLI_CONFIG_FILE = os.devNull;
  const { generateProviderBindingsFromSchema } = require(flavours[flavour].generator);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'liftgate-bindings-'));
  try {
    const names = [];
    // One generator run per provider: a shared run leaks the first provider's files into the second's index.
    for (const fqn of Object.keys(schema.provider_schemas).sort()) {
      const single = {
        format_version: schema.format_version,
        provider_schemas: { [fqn]: schema.provider_schemas[fqn] },
        provider_versions: { [fqn]: schema.provider_versions[fqn] },
      };
      const target = path.join(scratch, fqn.split('/').pop());
      await generateProviderBindingsFromSchema(target, single);
      names.push(fqn.split('/').pop());
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    for (const name of names) {
      const generated = path.join(scratch, name, 'providers', name);
      for (const file of walk(generated)) {
        const relative = path.relative(generated, file);
        // Not sources: README.md files are registry docs links; lazy-index.ts is CommonJS in a .ts file that
        // the package entry point does not use and that would not type-check.
        if (path.basename(file) === 'README.md' || relative === 'lazy-index.ts') continue;
        const destination = path.join(outDir, name, relative);
        fs.mkdirSync(path.dirname(destination), { recursive: true });
        fs.writeFileSync(destination, adaptGeneratedSource(fs.readFileSync(file, 'utf8')));
      }
    }
    const index = ['// generated by scripts/gen-providers.js: one namespace per Terraform provider', ...names.map((name) => `export * as ${name} from './${name}';`)];
    fs.writeFileSync(path.join(outDir, 'index.ts'), index.join('\n') + '\n');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(argv) {
  const usage = 'usage: node scripts/gen-providers.js [--out DIR]';
  let outDirOf = (flavour) => flavours[flavour].committed;
  if (argv.length === 2 && argv[0] === '--out') outDirOf = (flavour) => path.resolve(argv[1], flavour);
  else if (argv.length !== 0) throw new Error(`${usage} (got: ${argv.join(' ')})`);
  const schema = readProviderSchemas();
  const missing = providerTypes.filter((type) => schema.provider_schemas[`registry.terraform.io/liftgate/${type}`] === undefined);
  if (missing.length > 0) throw new Error(`terraform returned no schema for: ${missing.join(', ')}`);
  for (const flavour of Object.keys(flavours)) {
    const outDir = outDirOf(flavour);
    await generateBindings(schema, outDir, flavour);
    process.stdout.write(
      `generated ${flavour} bindings for ${Object.keys(schema.provider_schemas).join(', ')} into ${path.relative(process.cwd(), outDir) || '.'}\n`,
    );
  }
}

module.exports = { generateBindings, readProviderSchemas };

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`gen:providers: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
