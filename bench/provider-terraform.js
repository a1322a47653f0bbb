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
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { availableParallelism, tmpdir } = require('node:os');
const { join } = require('node:path');

const repoRoot = join(__dirname, '..');
const lib = join(repoRoot, 'lib');
if (!existsSync(join(lib, 'terraform', 'bitbucketdc', 'provider.js'))) {
  process.stderr.write('lib/ is missing: run `npm run build` first (npm run bench:provider does)\n');
  process.exit(1);
}
const { installProviders, terraformPlatform } = require(join(lib, 'cli', 'provider-install.js'));
const { startEmulator } = require(join(lib, 'emulator', 'index.js'));

const goProviderMirror = process.env.BENCH_GO_PROVIDER_MIRROR || '/opt/tf-plugins';
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
  `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/liftgate/*"]\n  }\n${findGoProvider() === undefined ? '' : `  filesystem_mirror {\n    path    = ${JSON.stringify(goProviderMirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n`}  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
);

const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_PLUGIN_CACHE_DIR: '' };
delete env.TF_LOG;
delete env.TF_LOG_PROVIDER;

const clockTicksPerSecond = 100; // USER_HZ: /proc reports CPU time in these ticks on every Linux architecture

/** utime + stime of a process in seconds, or undefined when it is gone (or there is no /proc). */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}

/** The pids of a process's children (every thread's), from /proc. */
function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * Samples the CPU time of terraform and of the plugin processes it starts every 5 ms while it runs. The
 * last sample of each process is at most 5 ms before it ended, so the figures are slightly low, alike for
 * every subject. Answers undefined where /proc cannot be read.
 */
function watchCpu(pid) {
  const seen = new Map();
  let terraformCpu;
  const sample = () => {
    const own = cpuSecondsOf(pid);
    if (own !== undefined) terraformCpu = own;
    for (const child of childrenOf(pid)) {
      const cpu = cpuSecondsOf(child);
      if (cpu !== undefined) seen.set(child, cpu);
    }
  };
  sample();
  const timer = setInterval(sample, 5);
  return () => {
    clearInterval(timer);
    if (terraformCpu === undefined) return undefined;
    return { terraform: terraformCpu, plugins: [...seen.values()].reduce((total, cpu) => total + cpu, 0), pluginProcesses: seen.size };
  };
}

/**
 * Runs terraform in `dir`; resolves to { ms: wall time, cpu: CPU seconds of terraform, of its plugin
 * processes and of this process (the emulator) }, or rejects with its output.
 */
function terraform(dir, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ownCpuBefore = process.cpuUsage();
    const child = spawn('terraform', [...args, '-no-color'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stopWatching = watchCpu(child.pid);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = stopWatching();
      const own = process.cpuUsage(ownCpuBefore);
      if (cpu !== undefined) cpu.thisProcess = (own.user + own.system) / 1e6;
      // plan -detailed-exitcode: 0 = no changes (what a refresh of applied resources must give).
      if (code === 0) resolve({ ms, cpu });
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

/** Median of each CPU figure over runs (undefined when /proc could not be read). */
function medianCpu(runs) {
  if (runs.some((run) => run.cpu === undefined)) return undefined;
  const of = (key) => median(runs.map((run) => run.cpu[key]));
  return { terraform: of('terraform'), plugins: of('plugins'), pluginProcesses: of('pluginProcesses'), thisProcess: of('thisProcess') };
}

/** Alternates baseline and subject `runs` times each; answers both medians (wall ms and CPU) and the ratio. */
async function compare(runs, baseline, subject) {
  const results = { baseline: [], subject: [] };
  for (let run = 0; run < runs; run += 1) {
    results.baseline.push(await baseline());
    results.subject.push(await subject());
  }
  const result = {
    baseline: median(results.baseline.map((run) => run.ms)),
    subject: median(results.subject.map((run) => run.ms)),
    cpu: { baseline: medianCpu(results.baseline), subject: medianCpu(results.subject) },
  };
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

function report(label, what, result, subjectName = 'bitbucketdc') {
  const ms = (value) => `${value.toFixed(0)} ms`;
  process.stdout.write(
    `${label} ${what}\n    baseline ${ms(result.baseline)}   ${subjectName} ${ms(result.subject)}   ratio ${result.ratio.toFixed(2)}x\n`,
  );
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
    const goProvider = findGoProvider();
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
