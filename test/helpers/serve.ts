/**
 * A real `liftgate serve` process for tests that need the control plane the way users run it (terraform's providers,
 * the cdktf and cdktn CLIs, `liftgate drift`): embedded store in a temporary directory, a free loopback port, Bitbucket
 * hosts on loopback allowed (the emulator), and the root-admin key read from the admin.key file it writes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type RunningServe } from './cli';

export interface ApiAnswer {
  status: number;
  body: any;
}

/** One REST call to a control plane at `url` as `key`; a JSON body is sent and answered. */
export async function callApi(url: string, key: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

export class ControlPlaneProcess {
  private constructor(
    private readonly serve: RunningServe,
    readonly adminKey: string,
    private readonly dataDir: string | null,
  ) {}

  /** `env` is added to the test's environment (LIFTGATE_ENCRYPTION_KEY is empty unless given). */
  static async start(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; args?: string[]; dataDir?: string } = {}): Promise<ControlPlaneProcess> {
    // A given data directory (a restart) is the caller's: stop() leaves it.
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'liftgate-serve-'));
    try {
      const serve = await startServe(['--data-dir', dataDir, '--allowed-bitbucket-hosts', 'loopback', ...(options.args ?? [])], {
        env: options.env,
        timeoutMs: options.timeoutMs ?? 60_000,
      });
      return new ControlPlaneProcess(serve, readFileSync(join(dataDir, 'admin.key'), 'utf8').trim(), options.dataDir === undefined ? dataDir : null);
    } catch (error) {
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The base URL it printed, without a trailing slash. */
  get url(): string {
    return this.serve.url.replace(/\/+$/, '');
  }

  /** Its log so far (JSON lines on stdout). */
  logs(): string {
    return this.serve.stdout();
  }

  /** One REST call (admin key unless another is given). */
  api(method: string, path: string, body?: unknown, key: string = this.adminKey): Promise<ApiAnswer> {
    return callApi(this.url, key, method, path, body);
  }

  /** Like `api`, but throws unless the answer is 2xx. */
  async ok(method: string, path: string, body?: unknown, key?: string): Promise<any> {
    const answer = await this.api(method, path, body, key);
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes its data directory. */
  async stop(): Promise<void> {
    await this.serve.stop();
    if (this.dataDir !== null) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Polls `probe` until it answers something other than undefined; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Adds Liftgate's webhook to a repository of the Bitbucket (or emulator) at `bitbucket.url` through its REST API, as
 * an administrator would: `url` and `secret` are the integration's (or a receiver's), `events` what it sends.
 */
export async function hookRepository(
  bitbucket: { url: string; adminToken: string },
  repository: { projectKey: string; slug: string },
  hook: { url: string; secret: string | null | undefined; events: readonly string[] },
): Promise<void> {
  const response = await fetch(`${bitbucket.url}/rest/api/latest/projects/${repository.projectKey}/repos/${repository.slug}/webhooks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bitbucket.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'liftgate', url: hook.url, active: true, events: hook.events, configuration: { secret: hook.secret } }),
  });
  if (!response.ok) throw new Error(`creating the webhook of ${repository.projectKey}/${repository.slug} answered ${response.status}: ${await response.text()}`);
}

/**
 * The build status `key` of `commit` in PLAT/network of the Bitbucket (or emulator) at `bitbucket.url`, once Liftgate
 * has reported it as `state`.
 */
export function buildStatusOnce(bitbucket: { url: string; adminToken: string }, commit: string, key: string, state: string): Promise<any> {
  return waitFor(`the ${state} build status`, async () => {
    const found = await fetch(`${bitbucket.url}/rest/api/latest/projects/PLAT/repos/network/commits/${commit}/builds?key=${encodeURIComponent(key)}`, {
      headers: { Authorization: `Bearer ${bitbucket.adminToken}` },
    });
    const body = found.status === 200 ? ((await found.json()) as any) : undefined;
    return body?.state === state ? body : undefined;
  });
}
