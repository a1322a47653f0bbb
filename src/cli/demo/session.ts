/**
 * One run of the demo: its directory, the services and tools it started, and what the steps learnt on the way (the
 * integration as deployed, the synthesized stack), so that it can be stopped and cleaned up whatever happened.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Integration, LiftgateClient } from '../../clients/liftgate';
import { DemoCheckFailed } from './report';
import { demoBitbucketUser, type DemoBitbucket, type DemoControlPlane } from './services';
import { cdkDeploy, terraformPlan, type ApplySummary, type PlanResult, type Toolchain } from './toolchain';

export interface RunningServices {
  bitbucket: DemoBitbucket;
  controlPlane: DemoControlPlane;
  liftgate: LiftgateClient;
}

export class DemoSession {
  readonly dir = mkdtempSync(join(tmpdir(), 'liftgate-demo-'));
  readonly projectDir = join(this.dir, 'quickstart');
  readonly logDir = join(this.dir, 'logs');
  /** Aborted when the demo is interrupted: terminates the cdktn/cdktf, terraform and drift processes still running. */
  readonly abort = new AbortController();
  bitbucket: DemoBitbucket | undefined;
  controlPlane: DemoControlPlane | undefined;
  liftgate: LiftgateClient | undefined;
  toolchain: Toolchain | undefined;
  /** The Terraform CLI configuration that points at the demo's provider mirror. */
  cliConfig = '';
  /** Where the CDK CLI synthesized the quickstart stack (terraform runs there). */
  stackDir = '';
  /** The default integration as the last deploy left it. */
  integration: Integration | undefined;
  private logCounter = 0;

  constructor(readonly packageRoot: string) {}

  logFile(name: string): string {
    this.logCounter += 1;
    return join(this.logDir, `${String(this.logCounter).padStart(2, '0')}-${name}.log`);
  }

  services(): RunningServices {
    if (this.bitbucket === undefined || this.controlPlane === undefined || this.liftgate === undefined) {
      throw new Error('the services are not running');
    }
    return { bitbucket: this.bitbucket, controlPlane: this.controlPlane, liftgate: this.liftgate };
  }

  tools(): Toolchain {
    if (this.toolchain === undefined) throw new Error('the tools were not checked');
    return this.toolchain;
  }

  deployedIntegration(): Integration {
    if (this.integration === undefined) throw new DemoCheckFailed('the quickstart app is not deployed');
    return this.integration;
  }

  /** The environment the CDK CLI and terraform run with: the demo's services and CLI configuration, nothing inherited that would redirect them. */
  terraformEnvironment(integrationName: string): NodeJS.ProcessEnv {
    const environment: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (/^(TF_|LIFTGATE_|BITBUCKET_|CDKTF_)/.test(name)) continue;
      environment[name] = value;
    }
    const { bitbucket, controlPlane } = this.services();
    return {
      ...environment,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: this.cliConfig,
      // cdktf and cdktn otherwise point Terraform at ~/.terraform.d/plugin-cache and keep their own files in ~/.cdktf.
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      CDKTF_HOME: join(this.dir, 'cdktf-home'),
      LIFTGATE_ENDPOINT: controlPlane.url,
      LIFTGATE_API_KEY: controlPlane.adminKey,
      LIFTGATE_INTEGRATION_NAME: integrationName,
      BITBUCKET_URL: bitbucket.emulator.url,
      BITBUCKET_TOKEN: bitbucket.userToken,
      LIFTGATE_BITBUCKET_USERNAME: demoBitbucketUser,
    };
  }

  /** Deploys the quickstart app with the CDK CLI the tools check chose. */
  deploy(integrationName: string, progress: (message: string) => void): Promise<ApplySummary> {
    const { cdk } = this.tools();
    return cdkDeploy(cdk, {
      projectDir: this.projectDir,
      env: this.terraformEnvironment(integrationName),
      logFile: this.logFile(`${cdk.tool}-deploy`),
      progress,
      signal: this.abort.signal,
    });
  }

  /** `terraform plan -detailed-exitcode` in the synthesized stack. */
  plan(integrationName: string): Promise<PlanResult> {
    return terraformPlan({ stackDir: this.stackDir, env: this.terraformEnvironment(integrationName), logFile: this.logFile('terraform-plan'), signal: this.abort.signal });
  }

  async stop(): Promise<void> {
    this.liftgate?.close();
    await this.controlPlane?.close();
    await this.bitbucket?.emulator.close();
  }
}

/**
 * SIGINT (Ctrl-C) or SIGTERM while the walkthrough runs: the running step fails with the signal, so the
 * services are stopped and the directory handled as after any failure instead of the process dying mid-way.
 */
export function interruption(abort: AbortController): { signalled: Promise<never>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<never>((_resolve, reject) => {
    onSignal = (signal) => {
      abort.abort();
      reject(new DemoCheckFailed(`interrupted by ${signal}`));
    };
  });
  // Nothing may be racing it when the signal comes (between steps); the next step then sees it.
  signalled.catch(() => undefined);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signalled,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}
