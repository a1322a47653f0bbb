/**
 * `liftgate demo` end to end through the built CLI, as `npm start` runs it: real terraform, real cdktn or cdktf, the
 * emulator and the control plane. One run (it takes a minute or more); the step lines are its contract with
 * the person watching, and each of them is only printed after the demo checked what it says.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCdkCli } from '../../../src/cli/demo/toolchain';
import { repoRoot, runCli } from '../../helpers/cli';

// The CLI the demo must choose on this Node: cdktn where its CLI supports it (22.19 or newer), cdktf before.
const tool = inspectCdkCli('cdktn', repoRoot).problem === null ? 'cdktn' : 'cdktf';
const library = tool === 'cdktn' ? 'liftgate-cdktn' : 'liftgate';

const stepLines = [
  new RegExp(`^✓ \\[1/12\\] terraform \\S+ and ${tool}-cli \\S+ found \\([^\\n]+\\); the quickstart app is built against ${library}(?: \\(\\d+ s\\))?$`, 'm'),
  /^✓ \[2\/12\] Bitbucket DC emulator on http:\/\/127\.0\.0\.1:\d+: project PLAT with repositories network, dns, apps/m,
  /^✓ \[3\/12\] control plane on http:\/\/127\.0\.0\.1:\d+ \(embedded PGlite store\); root-admin API key written to \S+admin\.key/m,
  /^✓ \[4\/12\] providers liftgate\/liftgate and liftgate\/bitbucketdc \S+ installed into \S+/m,
  new RegExp(`^✓ \\[5/12\\] ${tool} deploy \\(\\d+ added, 0 changed, 0 destroyed\\): default integration "Bitbucket", space "Platform", stacks network and dns`, 'm'),
  /^✓ \[6\/12\] push to PLAT\/network main \([0-9a-f]{7}\) → repo:refs_changed delivered \(HTTP 200, signed\) → TRACKED run \S+ QUEUED → PREPARING → INITIALIZING → PLANNING → APPLYING → FINISHED \(\+1 ~0 -0\); state serial \d+ in the control plane; build status liftgate\/\S+\/tracked SUCCESSFUL on the commit \(parent liftgate\/\S+\)/m,
  /^✓ \[7\/12\] pull request #\d+ feature\/bigger-subnet → main: PROPOSED run \S+ of [0-9a-f]{7} FINISHED, its plan in comment \d+; the next push's PROPOSED run \S+ edited that comment in place \(version \d+ → \d+\)/m,
  /^✓ \[8\/12\] edited the webhook of PLAT\/dns in Bitbucket .* drift caught: terraform plan -detailed-exitcode exits 2 \(bitbucketdc_repository_webhook\.\S+ will be updated in-place\), liftgate drift exits 2 \([^)]*wrong-url[^)]* on stack dns\)/m,
  new RegExp(`^✓ \\[9/12\\] ${tool} deploy \\(0 added, [1-9]\\d* changed, 0 destroyed\\) restored the webhook of PLAT/dns; terraform plan -detailed-exitcode and liftgate drift exit 0 \\(no drift\\)`, 'm'),
  new RegExp(
    `^✓ \\[10/12\\] renamed "Bitbucket" → "Bitbucket Data Center" with ${tool} deploy .* stacks network and dns still attached, webhooks re-pointed to \\S+/webhooks/bitbucket-datacenter/bitbucket-data-center; plan clean`,
    'm',
  ),
  /^✓ \[11\/12\] push to PLAT\/dns main → delivered to \S+\/bitbucket-data-center → TRACKED run \S+ UNCONFIRMED \(autodeploy off\) → confirmed → FINISHED, SUCCESSFUL on [0-9a-f]{7}/m,
  /^✓ \[12\/12\] stopped the control plane and the emulator and removed (\S+)(?: \(\d+ s\))?$/m,
];

describe('liftgate demo', () => {
  it(`walks through deploy (with ${tool} on Node ${process.version}), push and pull-request runs, drift caught and repaired, and a rename, then exits 0 and cleans up`, async () => {
    const result = await runCli(['demo'], { timeoutMs: 14 * 60_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    for (const line of stepLines) expect(output).toMatch(line);
    expect(output).not.toMatch(/^✗/m);
    expect(result.code).toBe(0);
    const removed = stepLines[11]!.exec(result.stdout)![1]!;
    expect(existsSync(removed)).toBe(false);
  }, 15 * 60_000);

  it('run from an installed package (no examples/, no CDK CLI), says it needs a clone in one line, before making anything', () => {
    const project = mkdtempSync(join(tmpdir(), 'liftgate-installed-'));
    try {
      const installed = join(project, 'node_modules', 'liftgate');
      for (const entry of ['bin', 'lib', 'package.json']) cpSync(join(repoRoot, entry), join(installed, entry), { recursive: true });
      symlinkSync(join(repoRoot, 'node_modules'), join(installed, 'node_modules'));
      const result = spawnSync(process.execPath, [join(installed, 'bin', 'liftgate'), 'demo'], { encoding: 'utf8', timeout: 30_000 });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `liftgate: the demo runs from a clone of the Liftgate repository, not from the installed package (${installed} has no examples/): clone it, then npm install && npm start\n`,
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
