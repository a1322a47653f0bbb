/**
 * `liftgate demo`: the whole product on one machine. Each step (steps.ts) does one thing a platform team does, then
 * checks — against the control plane's API and the emulator's state, not against the tools' own output — that it had
 * the effect the product promises, and stops the demo with the reason when it did not.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickstart } from './checks';
import { DemoCheckFailed, StepReporter, type StepOutput } from './report';
import { demoBitbucketUser } from './services';
import { DemoSession, interruption } from './session';
import { DEMO_STEPS } from './steps';
import { shellQuote } from './toolchain';

export interface DemoOptions {
  /** Leave the services running after the walkthrough until SIGINT/SIGTERM. */
  keep: boolean;
  /** The package root (holds package.json, lib/, examples/). */
  packageRoot: string;
  out: StepOutput;
}

/** Runs the walkthrough; resolves to the exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  // Every step, then stopping.
  const report = new StepReporter(options.out, DEMO_STEPS.length + 1);
  const session = new DemoSession(options.packageRoot);
  const interrupt = interruption(session.abort);
  let failed = false;
  report.say(`Liftgate demo — everything runs in ${session.dir}`);
  try {
    for (const step of DEMO_STEPS) {
      await report.step(step.activity(session), (progress) => Promise.race([step.run(session, progress), interrupt.signalled]));
    }
    interrupt.dispose();
    if (options.keep) await keepRunning(report, session);
  } catch (error) {
    interrupt.dispose();
    failed = true;
    if (!(error instanceof DemoCheckFailed) && error instanceof Error && error.stack !== undefined) {
      writeFileSync(join(session.dir, 'error.txt'), `${error.stack}\n`);
    }
  }
  await report.step('Stopping', () => stop(session, failed), { last: true });
  report.say(failed ? 'The demo failed: see the ✗ line above.' : 'The demo finished: every check held.');
  return failed ? 1 : 0;
}

/**
 * Stops the services. After a failure the directory holds what explains it (logs of every run, the store, the state
 * file), unless the demo failed before it started anything.
 */
async function stop(session: DemoSession, failed: boolean): Promise<string> {
  const worthKeeping = failed && (session.bitbucket !== undefined || session.controlPlane !== undefined);
  await session.stop();
  if (worthKeeping) return `stopped the control plane and the emulator; logs and state kept in ${session.dir}`;
  rmSync(session.dir, { recursive: true, force: true });
  return `stopped the control plane and the emulator and removed ${session.dir}`;
}

/** --keep: prints how to reach everything and waits for Ctrl-C (SIGINT) or SIGTERM. */
async function keepRunning(report: StepReporter, session: DemoSession): Promise<void> {
  const { bitbucket, controlPlane } = session.services();
  const { cdk } = session.tools();
  const environment = session.terraformEnvironment(quickstart.renamedIntegrationName);
  const exported = Object.keys(environment).filter((name) => /^(TF_|LIFTGATE_|BITBUCKET_|CDKTF_|CHECKPOINT_)/.test(name));
  const envFile = join(session.dir, 'env.sh');
  writeFileSync(
    envFile,
    [
      `# Source this file to run ${cdk.tool} and terraform against the demo's services (liftgate demo --keep).`,
      ...exported.map((name) => `export ${name}=${shellQuote(environment[name] ?? '')}`),
      `${cdk.tool}() { ${shellQuote(process.execPath)} ${shellQuote(cdk.entry)} "$@"; }`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  report.say('');
  report.say('The services keep running (--keep):');
  report.say(`  control plane       ${controlPlane.url}   (API description: ${controlPlane.url}/api/v1/openapi.json)`);
  report.say(`  root-admin API key  ${controlPlane.adminKeyFile}`);
  report.say(`  Bitbucket emulator  ${bitbucket.emulator.url}   (user admin, token in ${bitbucket.adminTokenFile})`);
  report.say(`  ${demoBitbucketUser} token  ${bitbucket.userTokenFile}`);
  report.say(`  logs                ${session.logDir}`);
  report.say(`Try: curl -H "Authorization: Bearer $(cat ${controlPlane.adminKeyFile})" ${controlPlane.url}/api/v1/stacks`);
  report.say(`     source ${envFile} && cd ${session.projectDir} && ${cdk.tool} diff --skip-provider-lock`);
  report.say('Press Ctrl-C to stop everything.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
