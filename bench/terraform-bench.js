/**
 * What the Terraform benchmarks of `npm run bench:provider` share: the lib/ check, the providers installed
 * into a private mirror with a CLI configuration that needs no registry, terraform runs timed (wall and CPU
 * time read from /proc), working directories, and baseline/subject comparisons reported in the format
 * bench/summary.js reads.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const repoRoot = join(__dirname, '..');
const lib = join(repoRoot, 'lib');

/** Exits with a hint unless `npm run build` has produced lib/ (checked through one of its files). */
function requireBuiltLib(...file) {
  if (!existsSync(join(lib, ...file))) {
    process.stderr.write('lib/ is missing: run `npm run build` first (npm run bench:provider does)\n');
    process.exit(1);
  }
}

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
 * A temporary root with both providers installed into a mirror, and terraform set up to take them (and,
 * from `extraMirrors` [{ path, include }], others) from there and nothing from a registry. Answers the
 * root, the environment terraform runs with, `terraform(dir, args)` and `workdir(name, hcl)`.
 */
function terraformBench(prefix, extraMirrors = []) {
  const { installProviders, terraformPlatform } = require(join(lib, 'cli', 'provider-install.js'));
  const root = mkdtempSync(join(tmpdir(), prefix));
  const mirror = join(root, 'mirror');
  const cliConfig = join(root, 'terraformrc');
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
  installProviders({ dir: mirror, version, bundleDir: join(lib, 'provider'), platform: terraformPlatform() });
  const mirrors = [{ path: mirror, include: 'registry.terraform.io/liftgate/*' }, ...extraMirrors]
    .map(({ path, include }) => `  filesystem_mirror {\n    path    = ${JSON.stringify(path)}\n    include = ["${include}"]\n  }\n`)
    .join('');
  writeFileSync(cliConfig, `provider_installation {\n${mirrors}  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`);

  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_PLUGIN_CACHE_DIR: '' };
  delete env.TF_LOG;
  delete env.TF_LOG_PROVIDER;

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

  return { root, env, terraform, workdir };
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

function report(label, what, result, subjectName = 'bitbucketdc') {
  const ms = (value) => `${value.toFixed(0)} ms`;
  process.stdout.write(
    `${label} ${what}\n    baseline ${ms(result.baseline)}   ${subjectName} ${ms(result.subject)}   ratio ${result.ratio.toFixed(2)}x\n`,
  );
}

module.exports = { compare, lib, median, report, repoRoot, requireBuiltLib, terraformBench };
