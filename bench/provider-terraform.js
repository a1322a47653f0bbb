#!/usr/bin/env node
/**
 * `npm run bench:provider`, parts 2 and 3: what the bitbucketdc provider costs inside real Terraform
 * commands, against Terraform's built-in `terraform_data` (no plugin process at all) in the same run:
 *   (2) `terraform validate` of a one-resource configuration;
 *   (3) `terraform plan` (with refresh) of 1,000 `bitbucketdc_repository_webhook`s (100 repositories x 10,
 *       against the Bitbucket emulator started in this process) vs 1,000 `terraform_data` resources.
 * Setup (init, the applies that create what the plans refresh) is not timed. Runs alternate baseline and
 * subject so machine load affects both alike; medians are reported. Target for (3): <= 1.5x.
 * BENCH_VALIDATE_RUNS (default 7) and BENCH_PLAN_RUNS (default 3) set the runs per side.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const repoRoot = join(__dirname, '..');
const lib = join(repoRoot, 'lib');
if (!existsSync(join(lib, 'terraform', 'bitbucketdc', 'provider.js'))) {
  process.stderr.write('lib/ is missing: run `npm run build` first (npm run bench:provider does)\n');
  process.exit(1);
}
const { installProviders, terraformPlatform } = require(join(lib, 'cli', 'provider-install.js'));
const { startEmulator } = require(join(lib, 'emulator', 'index.js'));

const validateRuns = Number(process.env.BENCH_VALIDATE_RUNS || 7);
const planRuns = Number(process.env.BENCH_PLAN_RUNS || 3);
const webhookCount = 1000;
const repositoryCount = 100;

const root = mkdtempSync(join(tmpdir(), 'liftgate-bench-terraform-'));
const mirror = join(root, 'mirror');
const cliConfig = join(root, 'terraformrc');
const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
installProviders({ dir: mirror, version, entryPoint: join(lib, 'cli', 'provider.js'), platform: terraformPlatform() });
writeFileSync(
  cliConfig,
  `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/liftgate/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
);

const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_PLUGIN_CACHE_DIR: '' };
delete env.TF_LOG;
delete env.TF_LOG_PROVIDER;

/** Runs terraform in `dir`; resolves to its wall time in ms, or rejects with its output. */
function terraform(dir, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('terraform', [...args, '-no-color'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // plan -detailed-exitcode: 0 = no changes (what a refresh of applied resources must give).
      if (code === 0) resolve(ms);
      else reject(new Error(`terraform ${args.join(' ')} in ${dir} exited ${code}:\n${output}`));
    });
  });
}

function workdir(name, hcl) {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.tf'), hcl);
  return dir;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Alternates baseline and subject `runs` times each; answers both medians and the ratio. */
async function compare(runs, baseline, subject) {
  const times = { baseline: [], subject: [] };
  for (let run = 0; run < runs; run += 1) {
    times.baseline.push(await baseline());
    times.subject.push(await subject());
  }
  const result = { baseline: median(times.baseline), subject: median(times.subject) };
  return { ...result, ratio: result.subject / result.baseline };
}

function providerBlock(url, token) {
  return `terraform {
  required_providers {
    bitbucketdc = { source = "liftgate/bitbucketdc" }
  }
}

provider "bitbucketdc" {
  server_url = ${JSON.stringify(url)}
  token      = ${JSON.stringify(token)}
}
`;
}

function report(label, what, result) {
  const ms = (value) => `${value.toFixed(0)} ms`;
  process.stdout.write(
    `${label} ${what}\n    baseline ${ms(result.baseline)}   bitbucketdc ${ms(result.subject)}   ratio ${result.ratio.toFixed(2)}x\n`,
  );
}

async function main() {
  const bitbucket = await startEmulator({ port: 0 });
  try {
    bitbucket.createProject('BENCH');
    const slugs = Array.from({ length: repositoryCount }, (_, index) => `repo-${String(index).padStart(3, '0')}`);
    for (const slug of slugs) bitbucket.createRepository('BENCH', slug);

    // (2) validate, one resource each.
    const validateOurs = workdir(
      'validate-bitbucketdc',
      `${providerBlock(bitbucket.url, bitbucket.adminToken)}
resource "bitbucketdc_repository_webhook" "ci" {
  project_key     = "BENCH"
  repository_slug = "repo-000"
  name            = "ci"
  url             = "https://ci.example.com/hook"
  events          = ["repo:refs_changed", "pr:opened"]
  secret          = "bench-secret"
}
`,
    );
    const validateBuiltin = workdir('validate-terraform-data', 'resource "terraform_data" "ci" {\n  input = "https://ci.example.com/hook"\n}\n');
    await terraform(validateOurs, ['init', '-input=false']);
    await terraform(validateBuiltin, ['init', '-input=false']);
    const validate = await compare(
      validateRuns,
      () => terraform(validateBuiltin, ['validate']),
      () => terraform(validateOurs, ['validate']),
    );

    // (3) plan with refresh of 1,000 existing objects each.
    const planOurs = workdir(
      'plan-bitbucketdc',
      `${providerBlock(bitbucket.url, bitbucket.adminToken)}
locals {
  hooks = { for pair in setproduct(${JSON.stringify(slugs)}, range(${webhookCount / repositoryCount})) : "\${pair[0]}-\${pair[1]}" => pair[0] }
}

resource "bitbucketdc_repository_webhook" "hook" {
  for_each        = local.hooks
  project_key     = "BENCH"
  repository_slug = each.value
  name            = "hook-\${each.key}"
  url             = "https://ci.example.com/\${each.key}"
  events          = ["repo:refs_changed", "pr:opened"]
  secret          = "secret-\${each.key}"
}
`,
    );
    const planBuiltin = workdir(
      'plan-terraform-data',
      `resource "terraform_data" "hook" {
  count = ${webhookCount}
  input = { name = "hook-\${count.index}", url = "https://ci.example.com/\${count.index}", events = ["repo:refs_changed", "pr:opened"] }
}
`,
    );
    process.stderr.write(`setting up: applying ${webhookCount} webhooks and ${webhookCount} terraform_data (not timed)...\n`);
    await terraform(planOurs, ['init', '-input=false']);
    await terraform(planBuiltin, ['init', '-input=false']);
    await terraform(planOurs, ['apply', '-auto-approve', '-input=false', '-parallelism=32']);
    await terraform(planBuiltin, ['apply', '-auto-approve', '-input=false', '-parallelism=32']);
    const webhooks = slugs.reduce((total, slug) => total + bitbucket.repositoryWebhooks('BENCH', slug).length, 0);
    if (webhooks !== webhookCount) throw new Error(`expected ${webhookCount} webhooks in the emulator after setup, found ${webhooks}`);
    const plan = await compare(
      planRuns,
      () => terraform(planBuiltin, ['plan', '-detailed-exitcode', '-input=false']),
      () => terraform(planOurs, ['plan', '-detailed-exitcode', '-input=false']),
    );

    report('(2)', `terraform validate, one resource (baseline: terraform_data), median of ${validateRuns}:`, validate);
    report('(3)', `terraform plan with refresh of ${webhookCount} resources (baseline: terraform_data), median of ${planRuns}:`, plan);
    process.stdout.write(`    target for (3): <= 1.50x -> ${plan.ratio <= 1.5 ? 'met' : 'NOT met'}\n`);
  } finally {
    await bitbucket.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
