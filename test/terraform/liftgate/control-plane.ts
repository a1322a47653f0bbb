/**
 * A real `liftgate serve` process for the liftgate provider's tests (the provider is started by terraform,
 * so the control plane must be reachable over HTTP like a user's): embedded store in a temporary directory,
 * ephemeral port, root-admin key read from the admin.key file it writes.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from '../../helpers/cli';
import { expectSuccess, type TerraformResult, type TerraformSandbox } from '../../helpers/terraform';

export interface ApiAnswer {
  status: number;
  body: any;
}

export class ControlPlaneProcess {
  private constructor(
    readonly url: string,
    readonly adminKey: string,
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    private readonly exited: Promise<number | null>,
  ) {}

  static async start(): Promise<ControlPlaneProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'liftgate-serve-'));
    const { child, exited, url } = await startServe(['--data-dir', dataDir, '--allowed-bitbucket-hosts', 'loopback'], { timeoutMs: 60_000 });
    const adminKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    return new ControlPlaneProcess(url.replace(/\/+$/, ''), adminKey, child, dataDir, exited);
  }

  /** One REST call (admin key unless another is given). */
  async api(method: string, path: string, body?: unknown, key: string = this.adminKey): Promise<ApiAnswer> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  /** Like `api`, but throws unless the answer is 2xx. */
  async ok(method: string, path: string, body?: unknown, key?: string): Promise<any> {
    const answer = await this.api(method, path, body, key);
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The `terraform { required_providers }` and provider blocks for a control plane and key. */
export function liftgateProviderBlock(controlPlane: ControlPlaneProcess, apiKey: string = controlPlane.adminKey): string {
  return `
terraform {
  required_providers {
    liftgate = { source = "liftgate/liftgate" }
  }
}

provider "liftgate" {
  endpoint = ${JSON.stringify(controlPlane.url)}
  api_key  = ${JSON.stringify(apiKey)}
}
`;
}

/** A resource as `terraform show -json` lists it. */
export interface ShownResource {
  address: string;
  values: Record<string, unknown>;
  sensitive_values: Record<string, unknown>;
}

/**
 * The terraform commands a lifecycle test runs in `sandbox()` (a function: suites make their sandbox in beforeAll):
 * `run` adds -no-color and -input=false where the command takes them (options must come before positional
 * arguments), `apply` must succeed, `planExitCode` is plan -detailed-exitcode's code (printing the plan when it is
 * not 0), `show` maps addresses to resources.
 */
export function terraformSteps(sandbox: () => TerraformSandbox) {
  const run = ([command, ...rest]: string[]): Promise<TerraformResult> => {
    const noInput = ['show', 'state', 'output'].includes(command as string) ? [] : ['-input=false'];
    return sandbox().terraform([command as string, ...(command === 'state' ? [] : ['-no-color', ...noInput]), ...rest]);
  };
  const apply = async (...extra: string[]) => {
    const result = await run(['apply', '-auto-approve', ...extra]);
    expectSuccess(result);
    return result;
  };
  const planExitCode = async () => {
    const result = await run(['plan', '-detailed-exitcode']);
    if (result.code !== 0) process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
    return result.code;
  };
  const show = async (): Promise<Map<string, ShownResource>> => {
    const result = await run(['show', '-json']);
    expectSuccess(result);
    const state = JSON.parse(result.stdout) as { values?: { root_module: { resources: ShownResource[] } } };
    return new Map((state.values?.root_module.resources ?? []).map((resource) => [resource.address, resource]));
  };
  return { run, apply, planExitCode, show };
}
