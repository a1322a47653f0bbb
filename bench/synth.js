#!/usr/bin/env node
/**
 * `npm run bench:synth`: how much the Liftgate L2 constructs cost at synth time.
 *
 * Subject: one CDKTF app with a default integration carrying webhooks on 1,000 repositories, a space and
 * 100 stacks (1,102 resources) built with the L2 constructs. Baseline, measured in the same run: an app
 * with the same number of @cdktf/provider-null resources, each with a comparable `triggers` map. Every
 * sample is a fresh node process (construct + synth, module loading included) so the peak memory is the
 * process's own; the two sides alternate so machine load hits both alike. Prints medians and the ratio.
 * Options (environment): BENCH_ROUNDS (default 7), BENCH_REPOSITORIES (1000), BENCH_STACKS (100).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const repositories = Number(process.env.BENCH_REPOSITORIES ?? 1000);
const stacks = Number(process.env.BENCH_STACKS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);

/** One sample, run inside a child process: builds and synthesizes the app, reports time and peak RSS. */
function sample(side, outdir) {
  const started = process.hrtime.bigint();
  const { App, TerraformStack } = require('cdktf');
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  let resourceCount;
  if (side === 'liftgate') {
    const { BitbucketDatacenterIntegration, LiftgateStack, Space, bitbucketdc, liftgate } = require('../lib');
    new liftgate.provider.LiftgateProvider(stack, 'liftgate', {});
    new bitbucketdc.provider.BitbucketdcProvider(stack, 'bitbucketdc', {});
    const integration = new BitbucketDatacenterIntegration(stack, 'Bitbucket', {
      name: 'Bitbucket',
      isDefault: true,
      apiHost: 'https://bitbucket.example.com',
      username: 'liftgate-bot',
      accessToken: 'token',
      repositories: Array.from({ length: repositories }, (_, index) => ({ projectKey: 'PLAT', repositorySlug: `repository-${index}` })),
    });
    const space = new Space(stack, 'Platform', { name: 'Platform' });
    for (let index = 0; index < stacks; index += 1) {
      new LiftgateStack(stack, `Stack${index}`, { name: `stack-${index}`, space, integration, projectKey: 'PLAT', repositorySlug: `repository-${index}` });
    }
    resourceCount = 1 + repositories + 1 + stacks;
  } else {
    const nullProvider = require('@cdktf/provider-null');
    new nullProvider.provider.NullProvider(stack, 'null', {});
    resourceCount = 1 + repositories + 1 + stacks;
    for (let index = 0; index < resourceCount; index += 1) {
      new nullProvider.resource.Resource(stack, `Resource${index}`, {
        triggers: { name: `resource-${index}`, project_key: 'PLAT', repository_slug: `repository-${index}`, url: 'https://liftgate.example.com/webhooks', events: 'repo:refs_changed,pr:opened', active: 'true' },
      });
    }
  }
  app.synth();
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { side, resourceCount, elapsedMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main() {
  const results = { liftgate: [], null: [] };
  for (let round = 0; round < rounds; round += 1) {
    // Alternate which side goes first so a slow moment of the machine is shared.
    const order = round % 2 === 0 ? ['liftgate', 'null'] : ['null', 'liftgate'];
    for (const side of order) {
      const outdir = mkdtempSync(join(tmpdir(), 'liftgate-bench-synth-'));
      try {
        const output = execFileSync(process.execPath, [__filename, '--sample', side, outdir], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
        results[side].push(JSON.parse(output.trim().split('\n').pop()));
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    }
  }
  const summary = (side) => ({
    resources: results[side][0].resourceCount,
    medianMs: median(results[side].map((result) => result.elapsedMs)),
    peakRssMb: Math.max(...results[side].map((result) => result.peakRssMb)),
  });
  const l2 = summary('liftgate');
  const baseline = summary('null');
  const line = (label, s) => `${label.padEnd(44)} ${String(s.resources).padStart(5)} resources  ${s.medianMs.toFixed(0).padStart(6)} ms (median of ${rounds})  peak RSS ${s.peakRssMb.toFixed(0)} MB`;
  console.log(`synth of ${repositories} repository webhooks + ${stacks} stacks (construct + synth in a fresh process)`);
  console.log(line('Liftgate L2 constructs', l2));
  console.log(line('@cdktf/provider-null resources (baseline)', baseline));
  console.log(`ratio (L2 / baseline): time ${(l2.medianMs / baseline.medianMs).toFixed(2)}x (target <= 1.3x), peak memory ${(l2.peakRssMb / baseline.peakRssMb).toFixed(2)}x`);
}

if (process.argv[2] === '--sample') {
  console.log(JSON.stringify(sample(process.argv[3], process.argv[4])));
} else {
  main();
}
