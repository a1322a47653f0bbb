#!/usr/bin/env node
/**
 * `npm run bench:provider`, liftgate part: `terraform plan` (with refresh) of 200 `liftgate_stack`s and 200
 * `bitbucketdc_repository_webhook`s — the liftgate provider against a real `liftgate serve` process, the
 * bitbucketdc provider against the Bitbucket emulator, both started here — vs 400 of Terraform's built-in
 * `terraform_data` (no plugin process at all), measured in the same run. Setup (init, the applies that create
 * what the plans refresh) is not timed. Runs alternate baseline and subject so machine load affects both
 * alike; medians are reported. BENCH_PLAN_RUNS (default 3) sets the runs per side.
 */
const { spawn } = require('node:child_process');
const { readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { compare, lib, report, repoRoot, requireBuiltLib, terraformBench } = require('./terraform-bench');

requireBuiltLib('terraform', 'liftgate', 'provider.js');
const { startEmulator } = require(join(lib, 'emulator', 'index.js'));

const planRuns = Number(process.env.BENCH_PLAN_RUNS || 3);
const stackCount = 200;
const webhookCount = 200;

const { root, terraform, workdir } = terraformBench('liftgate-bench-liftgate-');

/** Starts `liftgate serve` on an ephemeral port with a fresh embedded store; answers its URL, key and a stop(). */
function startControlPlane() {
  const dataDir = join(root, 'control-plane');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'liftgate'), 'serve', '--port', '0', '--data-dir', dataDir, '--allowed-bitbucket-hosts', 'loopback'], {
    env: { ...process.env, LIFTGATE_ENCRYPTION_KEY: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Ctrl-C, a kill or a crash of the benchmark must not leave the control plane running.
  process.once('exit', () => child.kill('SIGTERM'));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      child.kill('SIGTERM');
      process.exit(130);
    });
  }
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`liftgate serve did not start in time: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match === null) return;
      clearTimeout(timer);
      resolve({
        url: match[1].replace(/\/+$/, ''),
        apiKey: readFileSync(join(dataDir, 'admin.key'), 'utf8').trim(),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`liftgate serve exited with ${code} before listening: ${stderr}`));
    });
  });
}

async function main() {
  const [controlPlane, bitbucket] = await Promise.all([startControlPlane(), startEmulator({ port: 0 })]);
  try {
    bitbucket.createProject('BENCH');
    const slugs = Array.from({ length: webhookCount }, (_, index) => `repo-${String(index).padStart(3, '0')}`);
    for (const slug of slugs) bitbucket.createRepository('BENCH', slug);

    const ours = workdir(
      'plan-liftgate',
      `terraform {
  required_providers {
    liftgate    = { source = "liftgate/liftgate" }
    bitbucketdc = { source = "liftgate/bitbucketdc" }
  }
}

provider "liftgate" {
  endpoint = ${JSON.stringify(controlPlane.url)}
  api_key  = ${JSON.stringify(controlPlane.apiKey)}
}

provider "bitbucketdc" {
  server_url = ${JSON.stringify(bitbucket.url)}
  token      = ${JSON.stringify(bitbucket.adminToken)}
}

locals {
  repositories = ${JSON.stringify(slugs)}
}

resource "liftgate_bitbucket_datacenter_integration" "bb" {
  name         = "bench"
  is_default   = true
  api_host     = ${JSON.stringify(bitbucket.url)}
  username     = "admin"
  access_token = ${JSON.stringify(bitbucket.adminToken)}
}

resource "liftgate_stack" "stack" {
  count           = ${stackCount}
  name            = "stack-\${count.index}"
  integration_id  = liftgate_bitbucket_datacenter_integration.bb.id
  project_key     = "BENCH"
  repository_slug = local.repositories[count.index % length(local.repositories)]
  branch          = "main"
}

resource "bitbucketdc_repository_webhook" "hook" {
  count           = ${webhookCount}
  project_key     = "BENCH"
  repository_slug = local.repositories[count.index]
  name            = "liftgate"
  url             = liftgate_bitbucket_datacenter_integration.bb.webhook_url
  secret          = liftgate_bitbucket_datacenter_integration.bb.webhook_secret
  events          = ["repo:refs_changed", "pr:opened", "pr:merged"]
}
`,
    );
    const builtin = workdir(
      'plan-terraform-data',
      `resource "terraform_data" "integration" {
  input = { name = "bench", is_default = true }
}

resource "terraform_data" "stack" {
  count = ${stackCount}
  input = { name = "stack-\${count.index}", integration_id = terraform_data.integration.id, branch = "main" }
}

resource "terraform_data" "hook" {
  count = ${webhookCount}
  input = { name = "liftgate", url = terraform_data.integration.id, events = ["repo:refs_changed", "pr:opened", "pr:merged"] }
}
`,
    );
    process.stderr.write(`setting up: applying ${stackCount} stacks + ${webhookCount} webhooks and as many terraform_data (not timed)...\n`);
    await terraform(ours, ['init', '-input=false']);
    await terraform(builtin, ['init', '-input=false']);
    await terraform(ours, ['apply', '-auto-approve', '-input=false', '-parallelism=32']);
    await terraform(builtin, ['apply', '-auto-approve', '-input=false', '-parallelism=32']);

    const plan = await compare(
      planRuns,
      () => terraform(builtin, ['plan', '-detailed-exitcode', '-input=false']),
      () => terraform(ours, ['plan', '-detailed-exitcode', '-input=false']),
    );
    report(
      '(4)',
      `terraform plan with refresh of ${stackCount} liftgate_stack + ${webhookCount} bitbucketdc_repository_webhook + 1 integration ` +
        `against liftgate serve and the emulator (baseline: as many terraform_data), median of ${planRuns}:`,
      plan,
      'liftgate+bitbucketdc',
    );
  } finally {
    await Promise.all([controlPlane.stop(), bitbucket.close()]);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
