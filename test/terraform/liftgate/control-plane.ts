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
    /** Its log so far (JSON lines on stdout). */
    readonly logs: () => string,
  ) {}

  static async start(): Promise<ControlPlaneProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'liftgate-serve-'));
    const { child, exited, url, stdout } = await startServe(['--data-dir', dataDir, '--allowed-bitbucket-hosts', 'loopback'], { timeoutMs: 60_000 });
    const adminKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    return new ControlPlaneProcess(url.replace(/\/+$/, ''), adminKey, child, dataDir, exited, stdout);
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
