// Bundles the Terraform provider process (src/cli/provider.ts with grpc-js, protobufjs, msgpack, axios, zod and
// both providers) into one self-contained file, lib/provider/provider.js, with the .proto files it reads beside it
// in lib/provider/proto/. `liftgate provider install` copies this directory into each provider package of the
// mirror, next to a launcher: a package then depends on nothing outside itself, so its files (and the h1: hash
// Terraform pins in .terraform.lock.hcl) are the same wherever Liftgate is installed or checked out.
// The bundle must not depend on where it was built: paths in it are relative to the repository root, and a build
// from another checkout gives the same bytes (test/cli/provider-install.test.ts checks no absolute path leaks in).
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'lib', 'provider');

async function main() {
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    stdin: {
      contents: "require('./src/cli/provider').runProviderProcess(process.argv.slice(2));\n",
      resolveDir: root,
      sourcefile: 'provider-main.js',
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: path.join(root, 'tsconfig.build.json'),
    outfile: path.join(outdir, 'provider.js'),
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    logLevel: 'warning',
  });
  fs.mkdirSync(path.join(outdir, 'proto'));
  for (const file of fs.readdirSync(path.join(root, 'src', 'plugin', 'proto'))) {
    fs.copyFileSync(path.join(root, 'src', 'plugin', 'proto', file), path.join(outdir, 'proto', file));
  }
  const size = fs.statSync(path.join(outdir, 'provider.js')).size;
  process.stdout.write(`provider bundle: lib/provider/provider.js ${(size / 1024).toFixed(1)} KiB\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
