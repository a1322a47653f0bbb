/**
 * What the webhook resources' terraform tests share: a terraform working directory with Liftgate's providers, a
 * fresh Bitbucket emulator seeded by the test, an admin client on it, and every terraform output kept (so a test
 * can check that a secret never appeared in any of them).
 */
import { BitbucketClient } from '../../../src/clients/bitbucket';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, providerConfig, TerraformSandbox, type TerraformResult } from '../../helpers/terraform';

/** The `terraform` and `provider "bitbucketdc"` blocks for an emulator. */
export function bitbucketProviderBlock(emulator: RunningEmulator): string {
  return providerConfig('bitbucketdc', 'liftgate/bitbucketdc', { server_url: emulator.url, token: emulator.adminToken });
}

export interface ShownResource {
  address: string;
  values: Record<string, unknown>;
  sensitive_values: Record<string, unknown>;
}

export class WebhookSandbox {
  /** stdout and stderr of every command run through run(), in order. */
  readonly outputs: string[] = [];

  private constructor(
    readonly bitbucket: RunningEmulator,
    readonly admin: BitbucketClient,
    readonly sandbox: TerraformSandbox,
  ) {}

  /** Starts an emulator, lets `seed` fill it, writes `config(emulator)` and runs `terraform init`. */
  static async start(prefix: string, seed: (emulator: RunningEmulator) => void, config: (emulator: RunningEmulator) => string): Promise<WebhookSandbox> {
    const bitbucket = await startEmulator({ port: 0 });
    seed(bitbucket);
    const fixture = new WebhookSandbox(bitbucket, new BitbucketClient({ baseUrl: bitbucket.url, token: bitbucket.adminToken }), new TerraformSandbox(prefix));
    fixture.sandbox.writeConfig(config(bitbucket));
    expectSuccess(await fixture.run(['init', '-input=false']));
    return fixture;
  }

  /** `terraform <args> -no-color`, its output kept in `outputs`. */
  async run(args: string[], env?: NodeJS.ProcessEnv): Promise<TerraformResult> {
    const result = await this.sandbox.terraform([...args, '-no-color'], { env });
    this.outputs.push(result.stdout, result.stderr);
    return result;
  }

  async apply(): Promise<void> {
    expectSuccess(await this.run(['apply', '-auto-approve', '-input=false']));
  }

  plan(): Promise<TerraformResult> {
    return this.run(['plan', '-detailed-exitcode', '-input=false']);
  }

  /**
   * One resource of the state as `terraform show -json` gives it. Not through run(): `show -json` prints state values,
   * the secret included (Terraform's behaviour).
   */
  async show(address: string): Promise<ShownResource> {
    const result = await this.sandbox.terraform(['show', '-json', '-no-color']);
    expectSuccess(result);
    const state = JSON.parse(result.stdout) as { values?: { root_module: { resources: ShownResource[] } } };
    const resource = state.values?.root_module.resources.find((candidate) => candidate.address === address);
    if (resource === undefined) throw new Error(`${address} is not in state: ${result.stdout}`);
    return resource;
  }

  async close(): Promise<void> {
    this.admin.close();
    await this.bitbucket.close();
    this.sandbox.remove();
  }
}
