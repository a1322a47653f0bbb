#!/usr/bin/env node
/**
 * `npm run bench:provider`, part 1: how long a provider process takes from spawn to its handshake line
 * (what Terraform waits for, several times per command), against `node -e 0` measured in the same run.
 *
 * Subjects: the plugin transport alone (the transport tests' echo plugin: handshake, TLS certificate,
 * gRPC server), and each provider started from the bundle `liftgate provider install` copies into the mirror
 * (lib/provider/provider.js, what Terraform runs) and from the unbundled lib/cli/provider.js (what the
 * bundle saves). All with TLS on, as Terraform runs them.
 *
 * Runs are interleaved (baseline, subject, baseline, ...) so machine load affects both alike; medians are
 * reported. BENCH_RUNS sets the runs per subject (default 15).
 */
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const repoRoot = join(__dirname, '..');
const lib = join(repoRoot, 'lib');
if (!existsSync(join(lib, 'plugin', 'serve.js'))) {
  process.stderr.write('lib/ is missing: run `npm run build` first (npm run bench:provider does)\n');
  process.exit(1);
}
const { generatePluginCertificate } = require(join(lib, 'plugin', 'tls.js'));
const { magicCookieKey, magicCookieValue } = require(join(lib, 'plugin', 'handshake.js'));

const runs = Number(process.env.BENCH_RUNS || 15);
const terraformEnv = {
  ...process.env,
  [magicCookieKey]: magicCookieValue,
  PLUGIN_PROTOCOL_VERSIONS: '5,6',
  PLUGIN_MIN_PORT: '10000',
  PLUGIN_MAX_PORT: '25000',
  PLUGIN_CLIENT_CERT: generatePluginCertificate().certificatePem,
};
delete terraformEnv.TF_LOG;
delete terraformEnv.TF_LOG_PROVIDER;

/** ms from spawn until the process exits (the baseline) or prints its first stdout line (a plugin). */
function timeOnce(args, { untilHandshake }) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(process.execPath, args, { env: terraformEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (untilHandshake && stdout.includes('\n')) {
        const ms = elapsed();
        if (!/^1\|6\|tcp\|/.test(stdout)) reject(new Error(`unexpected handshake: ${stdout.trim()}`));
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(ms);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (untilHandshake) reject(new Error(`${args.join(' ')} exited (${code}) before its handshake: ${stderr.trim()}`));
      else resolve(elapsed());
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const { providerTypes } = require(join(lib, 'cli', 'provider-install.js'));

async function main() {
  const subjects = [
    { name: 'plugin transport alone (echo fixture)', args: [join(repoRoot, 'test', 'plugin', 'transport', 'fixtures', 'echo-plugin.js')] },
    ...providerTypes.flatMap((type) => [
      { name: `provider ${type} (bundle, as installed)`, args: [join(lib, 'provider', 'provider.js'), type] },
      { name: `provider ${type} (lib/cli/provider.js)`, args: [join(lib, 'cli', 'provider.js'), type] },
    ]),
  ];
  const baselineArgs = ['-e', '0'];
  // Warm the file system cache for every script once; not measured.
  await timeOnce(baselineArgs, { untilHandshake: false });
  for (const subject of subjects) await timeOnce(subject.args, { untilHandshake: true });

  const baseline = [];
  const results = subjects.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [index, subject] of subjects.entries()) {
      baseline.push(await timeOnce(baselineArgs, { untilHandshake: false }));
      results[index].push(await timeOnce(subject.args, { untilHandshake: true }));
    }
  }
  const baselineMs = median(baseline);
  process.stdout.write(`Provider start-up: spawn to handshake line, median of ${runs} runs (TLS on)\n`);
  process.stdout.write(`  ${'baseline: node -e 0 (spawn to exit)'.padEnd(48)} ${baselineMs.toFixed(1).padStart(7)} ms\n`);
  for (const [index, subject] of subjects.entries()) {
    const ms = median(results[index]);
    process.stdout.write(`  ${subject.name.padEnd(48)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / baselineMs).toFixed(2)}x baseline\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`bench:provider: ${error.message}\n`);
  process.exit(1);
});
