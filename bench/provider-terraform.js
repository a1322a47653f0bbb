#!/usr/bin/env node
/**
 * `npm run bench:provider`, parts 2 and 3: what the bitbucketdc provider costs inside real Terraform
 * commands, against Terraform's built-in `terraform_data` (no plugin process at all) in the same run:
 *   (2) `terraform validate` of a one-resource configuration;
 *   (3) `terraform plan` (with refresh) of 1,000 `bitbucketdc_repository_webhook`s (100 repositories x 10,
 *       against the Bitbucket emulator started in this process) vs 1,000 `terraform_data` resources.
 * Setup (init, the applies that create what the plans refresh) is not timed. Runs alternate baseline and
 * subject so machine load affects both alike; medians are reported. Target for (3): <= 1.5x.
 *
 * Where that time goes, measured in the same runs (Linux: CPU time read from /proc while terraform runs):
 *   - for (3), the CPU time of terraform itself, of the provider processes it starts, and of the emulator;
 *   - (3b) the same plan without refresh, so no Bitbucket request at all: only Terraform's plugin protocol
 *     (ValidateResourceConfig, UpgradeResourceState, PlanResourceChange per resource);
 *   - (3c) for reference, when a Go provider is at hand in a local mirror (BENCH_GO_PROVIDER_MIRROR, default
 *     /opt/tf-plugins, holding registry.terraform.io/hashicorp/aws): hashicorp/aws planning 1,000
 *     `aws_ssm_parameter`s without refresh (state written by this script; no AWS request is made), so the
 *     cost of the protocol itself is seen with a provider built on HashiCorp's own Go SDK.
 *   For (3b) and (3c) also the cost per resource: (plan of 1,000 - plan of 1) / 999, which leaves out what
 *   a provider pays once (process start, schema), against the same figure for terraform_data.
 * BENCH_VALIDATE_RUNS (default 7) and BENCH_PLAN_RUNS (default 3) set the runs per side.
 */
const { existsSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');

const { compare, lib, report, requireBuiltLib, terraformBench } = require('./terraform-bench');

requireBuiltLib('terraform', 'bitbucketdc', 'provider.js');
const { startEmulator } = require(join(lib, 'emulator', 'index.js'));

const goProviderMirror = process.env.BENCH_GO_PROVIDER_MIRROR || '/opt/tf-plugins';
const validateRuns = Number(process.env.BENCH_VALIDATE_RUNS || 7);
const planRuns = Number(process.env.BENCH_PLAN_RUNS || 3);
const webhookCount = 1000;
const repositoryCount = 100;

const goProvider = findGoProvider();
const { root, env, terraform, workdir } = terraformBench(
  'liftgate-bench-terraform-',
  goProvider === undefined ? [] : [{ path: goProviderMirror, include: 'registry.terraform.io/hashicorp/aws' }],
);

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

function webhooksConfig(bitbucket, slugs, count) {
  const perRepository = count / slugs.length;
  return `${providerBlock(bitbucket.url, bitbucket.adminToken)}
locals {
  hooks = { for pair in setproduct(${JSON.stringify(slugs)}, range(${perRepository})) : "\${pair[0]}-\${pair[1]}" => pair[0] }
}

resource "bitbucketdc_repository_webhook" "hook" {
  for_each        = local.hooks
  project_key     = "BENCH"
  repository_slug = each.value
  name            = "hook-${count === 1 ? 'single-' : ''}\${each.key}"
  url             = "https://ci.example.com/\${each.key}"
  events          = ["repo:refs_changed", "pr:opened"]
  secret          = "secret-\${each.key}"
}
`;
}

function terraformDataConfig(count) {
  return `resource "terraform_data" "hook" {
  count = ${count}
  input = { name = "hook-\${count.index}", url = "https://ci.example.com/\${count.index}", events = ["repo:refs_changed", "pr:opened"] }
}
`;
}

/** The version of the terraform on PATH, for the state files this script writes (terraform refuses newer ones). */
function terraformVersion() {
  const { execFileSync } = require('node:child_process');
  return JSON.parse(execFileSync('terraform', ['version', '-json'], { env, encoding: 'utf8' })).terraform_version;
}

/** hashicorp/aws in the mirror for this platform, if any: { version }. */
function findGoProvider() {
  const dir = join(goProviderMirror, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(dir)) return undefined;
  const platform = `linux_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const version = readdirSync(dir).find((candidate) => existsSync(join(dir, candidate, platform)));
  return version === undefined ? undefined : { version };
}

/**
 * A working directory where hashicorp/aws plans `count` aws_ssm_parameter without refresh and finds nothing
 * to change: the state is written here as the provider would have stored it, and the provider is configured
 * to make no AWS request (static dummy credentials, every start-up check skipped).
 */
function goProviderWorkdir(goProvider, name, count) {
  const resources = Array.from({ length: count }, (_, index) => `resource "aws_ssm_parameter" "p${index}" {
  name  = "p-${index}"
  type  = "String"
  value = "https://ci.example.com/${index}"
}
`);
  const dir = workdir(
    name,
    `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${goProvider.version}" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "bench"
  secret_key                  = "bench"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

${resources.join('\n')}`,
  );
  const instances = Array.from({ length: count }, (_, index) => ({
    mode: 'managed',
    type: 'aws_ssm_parameter',
    name: `p${index}`,
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [
      {
        schema_version: 0,
        attributes: {
          allowed_pattern: '', arn: `arn:aws:ssm:us-east-1:123456789012:parameter/p-${index}`, data_type: 'text', description: '',
          has_value_wo: null, id: `p-${index}`, insecure_value: null, key_id: '', name: `p-${index}`, overwrite: null, tags: null,
          tags_all: {}, tier: 'Standard', type: 'String', value: `https://ci.example.com/${index}`, value_wo: null,
          value_wo_version: null, version: 1,
        },
        sensitive_attributes: [[{ type: 'get_attr', value: 'value' }], [{ type: 'get_attr', value: 'value_wo' }]],
        private: 'bnVsbA==',
      },
    ],
  }));
  writeFileSync(
    join(dir, 'terraform.tfstate'),
    JSON.stringify({ version: 4, terraform_version: terraformVersion(), serial: 1, lineage: '6b3a3c1e-0000-4000-8000-000000000001', outputs: {}, resources: instances }),
  );
  return dir;
}

/** Where the CPU went in a compared pair, when /proc could be read. */
function reportCpu(result, subjectName, { emulator }) {
  const { baseline, subject } = result.cpu;
  if (baseline === undefined || subject === undefined) {
    process.stdout.write('    CPU: not measured (no /proc)\n');
    return;
  }
  const s = (value) => `${value.toFixed(2)} s`;
  process.stdout.write(
    `    CPU, median: terraform itself ${s(subject.terraform)} (with terraform_data ${s(baseline.terraform)}); ` +
      `${subjectName} processes (${subject.pluginProcesses}) ${s(subject.plugins)}` +
      (emulator ? `; Bitbucket emulator ${s(subject.thisProcess)}` : '') +
      '\n',
  );
  // Terraform's own work for these plugin calls is outside any provider: even a provider that cost nothing
  // would leave terraform's CPU time. As a share of the baseline's CPU it does not depend on machine load;
  // spread over every core and set against the baseline's wall time it bounds the wall-time ratio here.
  const cores = availableParallelism();
  const baselineCpu = baseline.terraform + baseline.plugins;
  const floorMs = (subject.terraform * 1000) / cores;
  process.stdout.write(
    `    floor for any provider: terraform's own CPU here is ${(subject.terraform / baselineCpu).toFixed(2)}x all the CPU of the ` +
      `terraform_data plan; spread over all ${cores} cores it lasts ${floorMs.toFixed(0)} ms, ` +
      `${(floorMs / result.baseline).toFixed(2)}x that plan's wall time\n`,
  );
}

/** Per-resource cost: (plan of many - plan of one) / (many - 1), for the subject and the baseline. */
function reportPerResource(many, one, count, subjectName) {
  const perResource = (manyMs, oneMs) => (manyMs - oneMs) / (count - 1);
  const subject = perResource(many.subject, one.subject);
  const baseline = perResource(many.baseline, one.baseline);
  process.stdout.write(
    `    per resource ((plan of ${count} - plan of 1) / ${count - 1}): terraform_data ${baseline.toFixed(2)} ms, ` +
      `${subjectName} ${subject.toFixed(2)} ms, ratio ${(subject / baseline).toFixed(2)}x\n`,
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

    // (3) plan with refresh of 1,000 existing objects each; (3b) the same without refresh, and of 1 each.
    const planOurs = workdir('plan-bitbucketdc', webhooksConfig(bitbucket, slugs, webhookCount));
    const planBuiltin = workdir('plan-terraform-data', terraformDataConfig(webhookCount));
    const planOursOne = workdir('plan-bitbucketdc-1', webhooksConfig(bitbucket, slugs.slice(0, 1), 1));
    const planBuiltinOne = workdir('plan-terraform-data-1', terraformDataConfig(1));
    process.stderr.write(`setting up: applying ${webhookCount} webhooks and ${webhookCount} terraform_data (not timed)...\n`);
    for (const dir of [planOurs, planBuiltin, planOursOne, planBuiltinOne]) {
      await terraform(dir, ['init', '-input=false']);
      await terraform(dir, ['apply', '-auto-approve', '-input=false', '-parallelism=32']);
    }
    const webhooks = slugs.reduce((total, slug) => total + bitbucket.repositoryWebhooks('BENCH', slug).length, 0);
    if (webhooks !== webhookCount + 1) throw new Error(`expected ${webhookCount + 1} webhooks in the emulator after setup, found ${webhooks}`);
    const planArgs = ['plan', '-detailed-exitcode', '-input=false'];
    const noRefresh = [...planArgs, '-refresh=false'];
    const plan = await compare(planRuns, () => terraform(planBuiltin, planArgs), () => terraform(planOurs, planArgs));
    const planNoRefresh = await compare(planRuns, () => terraform(planBuiltin, noRefresh), () => terraform(planOurs, noRefresh));
    const planNoRefreshOne = await compare(planRuns, () => terraform(planBuiltinOne, noRefresh), () => terraform(planOursOne, noRefresh));

    // (3c) a Go provider for reference, when one is at hand.
    let goPlan;
    let goProblem = `${goProviderMirror} holds no registry.terraform.io/hashicorp/aws`;
    if (goProvider !== undefined) {
      // Only a reference: if this provider version or this terraform cannot run it, say so and go on.
      try {
        const goMany = goProviderWorkdir(goProvider, 'plan-aws', webhookCount);
        const goOne = goProviderWorkdir(goProvider, 'plan-aws-1', 1);
        for (const dir of [goMany, goOne]) await terraform(dir, ['init', '-input=false']);
        goPlan = {
          many: await compare(planRuns, () => terraform(planBuiltin, noRefresh), () => terraform(goMany, noRefresh)),
          one: await compare(planRuns, () => terraform(planBuiltinOne, noRefresh), () => terraform(goOne, noRefresh)),
        };
      } catch (error) {
        goProblem = `hashicorp/aws ${goProvider.version} could not be run: ${String(error.message).split('\n').slice(0, 3).join(' ')}`;
      }
    }

    report('(2)', `terraform validate, one resource (baseline: terraform_data), median of ${validateRuns}:`, validate);
    report('(3)', `terraform plan with refresh of ${webhookCount} resources (baseline: terraform_data), median of ${planRuns}:`, plan);
    process.stdout.write(`    target for (3): <= 1.50x -> ${plan.ratio <= 1.5 ? 'met' : 'NOT met'}\n`);
    reportCpu(plan, 'bitbucketdc', { emulator: true });
    report('(3b)', `terraform plan -refresh=false of ${webhookCount} resources: no Bitbucket request, only the plugin protocol, median of ${planRuns}:`, planNoRefresh);
    reportCpu(planNoRefresh, 'bitbucketdc', { emulator: false });
    reportPerResource(planNoRefresh, planNoRefreshOne, webhookCount, 'bitbucketdc');
    if (goPlan === undefined) {
      process.stdout.write(`(3c) no Go provider for reference: ${goProblem}\n`);
    } else {
      report(
        '(3c)',
        `for reference, a Go provider: hashicorp/aws ${goProvider.version}, terraform plan -refresh=false of ${webhookCount} aws_ssm_parameter, median of ${planRuns}:`,
        goPlan.many,
        'hashicorp/aws',
      );
      reportCpu(goPlan.many, 'hashicorp/aws', { emulator: false });
      reportPerResource(goPlan.many, goPlan.one, webhookCount, 'hashicorp/aws');
    }
  } finally {
    await bitbucket.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
