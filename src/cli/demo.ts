import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags, type Command } from './command';
import { runDemo } from './demo/walkthrough';

const usage = `Usage: liftgate demo [--keep]

The end-to-end walkthrough (what \`npm start\` runs), on this machine only, in a temporary directory:
starts the Bitbucket DC emulator (project PLAT with a few repositories) and the control plane (embedded
PGlite store) on free ports, installs both Terraform providers into a mirror of the demo's own, deploys
the quickstart app, simulates a push and a pull request and shows the runs they queued, edits a webhook
by hand and shows terraform catching and a deploy repairing the drift, renames the integration and shows
the stacks staying attached, then stops everything.

It deploys with CDK Terrain (\`cdktn deploy\`, the liftgate-cdktn build) where its CLI supports this
Node (22.19 or newer), and with \`cdktf deploy\` (the liftgate build) on older ones; the first line
says which.

Each step prints one line saying what happened; a check that does not hold stops the demo with the
reason (exit 1). Runs from a clone of the Liftgate repository (npm install && npm start): it deploys
the repository's examples/ with the CDK CLIs, which the npm package does not ship. Needs terraform on PATH.
Your ~/.terraform.d and ~/.terraformrc are not used or changed.

Options:
  --keep        leave the services running at the end and print how to reach them (Ctrl-C stops them)
  -h, --help    show this help`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the end-to-end walkthrough against a local emulator and control plane (npm start)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, { keep: { type: 'boolean' } });
    const packageRoot = join(__dirname, '..', '..');
    if (!existsSync(join(packageRoot, 'examples', 'run.js'))) {
      throw new Error(
        `the demo runs from a clone of the Liftgate repository, not from the installed package (${packageRoot} has no examples/): ` +
          'clone it, then npm install && npm start',
      );
    }
    return runDemo({ keep: values.keep === true, packageRoot, out: process.stdout });
  },
};
