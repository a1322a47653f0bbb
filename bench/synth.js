#!/usr/bin/env node
/**
 * `npm run bench:synth`: how much the Liftgate L2 constructs cost at synth time.
 *
 * Subject: one CDKTF app with a default integration carrying webhooks on 1,000 repositories, a space and
 * 100 stacks (1,102 resources) built with the L2 constructs. Baseline, measured in the same run: an app
 * with the same number of @cdktf/provider-null resources whose `triggers` carry the same values and the
 * same references (webhook URL/secret -> integration, stack -> space and integration), so the ratio is
 * the cost of the constructs (validation, wiring, nested ids), not of the amount of configuration; and,
 * for scale, as many null_resource with only three trigger strings each. Every
 * sample is a fresh node process (construct + synth, module loading included) so the peak memory is the
 * process's own; the sides take turns so machine load hits all alike. Prints medians and the ratio.
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
  } else if (side === 'null-minimal') {
    // A second, leaner baseline: as many null_resource with a small triggers map and no references.
    const nullProvider = require('@cdktf/provider-null');
    new nullProvider.provider.NullProvider(stack, 'null', {});
    resourceCount = 1 + 1 + repositories + stacks;
    for (let index = 0; index < resourceCount; index += 1) {
      new nullProvider.resource.Resource(stack, `Resource${index}`, { triggers: { name: `resource-${index}`, project_key: 'PLAT', repository_slug: `repository-${index}` } });
    }
  } else {
    // The same resources as plain null_resource: same count, same values, same references between them.
    const nullProvider = require('@cdktf/provider-null');
    new nullProvider.provider.NullProvider(stack, 'null', {});
    const integration = new nullProvider.resource.Resource(stack, 'Integration', {
      triggers: { name: 'Bitbucket', is_default: 'true', api_host: 'https://bitbucket.example.com', username: 'liftgate-bot', access_token: 'token' },
    });
    const space = new nullProvider.resource.Resource(stack, 'Space', { triggers: { name: 'Platform', parent_space_id: 'root', inherit_entities: 'false' } });
    const events = ['repo:refs_changed', 'pr:opened', 'pr:from_ref_updated', 'pr:modified', 'pr:reviewer:approved', 'pr:reviewer:unapproved', 'pr:merged', 'pr:comment:added'];
    for (let index = 0; index < repositories; index += 1) {
      new nullProvider.resource.Resource(stack, `Webhook${index}`, {
        triggers: {
          name: 'Liftgate Bitbucket',
          project_key: 'PLAT',
          repository_slug: `repository-${index}`,
          url: integration.id,
          secret: integration.id,
          active: 'true',
          ...Object.fromEntries(events.map((event, position) => [`event_${position}`, event])),
        },
      });
    }
    for (let index = 0; index < stacks; index += 1) {
      new nullProvider.resource.Resource(stack, `Stack${index}`, {
        triggers: { name: `stack-${index}`, space_id: space.id, integration_id: integration.id, project_key: 'PLAT', repository_slug: `repository-${index}`, branch: 'main', autodeploy: 'false' },
      });
    }
    resourceCount = 1 + 1 + repositories + stacks;
  }
  app.synth();
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const usage = process.resourceUsage();
  // CPU time as well as wall time: on a shared machine the wall clock also measures other processes.
  return { side, resourceCount, elapsedMs, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peakRssMb: usage.maxRSS / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main() {
  const sides = ['liftgate', 'null', 'null-minimal'];
  const results = Object.fromEntries(sides.map((side) => [side, []]));
  for (let round = 0; round < rounds; round += 1) {
    // Rotate which side goes first so a slow moment of the machine is shared.
    const order = sides.map((_, position) => sides[(position + round) % sides.length]);
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
    medianCpuMs: median(results[side].map((result) => result.cpuMs)),
    peakRssMb: Math.max(...results[side].map((result) => result.peakRssMb)),
  });
  const l2 = summary('liftgate');
  const baseline = summary('null');
  const minimal = summary('null-minimal');
  const line = (label, s) =>
    `${label.padEnd(44)} ${String(s.resources).padStart(5)} resources  wall ${s.medianMs.toFixed(0).padStart(5)} ms  CPU ${s.medianCpuMs.toFixed(0).padStart(5)} ms  peak RSS ${s.peakRssMb.toFixed(0)} MB`;
  console.log(`synth of ${repositories} repository webhooks + ${stacks} stacks (construct + synth in a fresh process, medians of ${rounds})`);
  console.log(line('Liftgate L2 constructs', l2));
  console.log(line('null_resource, same values and references', baseline));
  console.log(line('null_resource, 3 trigger strings', minimal));
  const ratios = (other) =>
    `wall time ${(l2.medianMs / other.medianMs).toFixed(2)}x, CPU time ${(l2.medianCpuMs / other.medianCpuMs).toFixed(2)}x, peak memory ${(l2.peakRssMb / other.peakRssMb).toFixed(2)}x`;
  console.log(`ratio L2 / null_resource with the same values (target <= 1.3x): ${ratios(baseline)}`);
  console.log(`ratio L2 / null_resource with 3 trigger strings: ${ratios(minimal)}`);
}

if (process.argv[2] === '--sample') {
  console.log(JSON.stringify(sample(process.argv[3], process.argv[4])));
} else {
  main();
}
