/**
 * Apply of 50 repository webhooks with the real terraform 1.11 binary while the emulator fails 20 % of
 * requests with a 500 (half of them after making the change, as when an answer is lost) and rate
 * limits with 429 + Retry-After: the apply converges to exactly 50 webhooks, none duplicated.
 * A counting proxy between provider and emulator proves both kinds of failure really happened.
 */
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, providerConfig, TerraformSandbox } from '../../helpers/terraform';

jest.setTimeout(300_000);

const repositories = ['r0', 'r1', 'r2', 'r3', 'r4'];
const webhooksPerRepository = 10;

/** Forwards every request to `target` and counts the answers by status. */
function countingProxy(target: string): Promise<{ server: Server; url: string; statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        statuses.set(answer.statusCode!, (statuses.get(answer.statusCode!) ?? 0) + 1);
        outgoing.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, statuses });
    });
  });
}

describe('bitbucketdc under injected 5xx and rate limiting', () => {
  let bitbucket: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let sandbox: TerraformSandbox;

  beforeAll(async () => {
    bitbucket = await startEmulator({ port: 0 });
    bitbucket.createProject('LOAD');
    for (const slug of repositories) bitbucket.createRepository('LOAD', slug);
    proxy = await countingProxy(bitbucket.url);
    sandbox = new TerraformSandbox('bitbucketdc-resilience');
    sandbox.writeConfig(`${providerConfig('bitbucketdc', 'liftgate/bitbucketdc', { server_url: proxy.url, token: bitbucket.adminToken })}

locals {
  hooks = { for pair in setproduct(${JSON.stringify(repositories)}, range(${webhooksPerRepository})) : "\${pair[0]}-\${pair[1]}" => pair[0] }
}

resource "bitbucketdc_repository_webhook" "load" {
  for_each        = local.hooks
  project_key     = "LOAD"
  repository_slug = each.value
  name            = "hook-\${each.key}"
  url             = "https://ci.example.com/\${each.key}"
  events          = ["repo:refs_changed", "pr:opened"]
  secret          = "s-\${each.key}"
}
`);
    expectSuccess(await sandbox.terraform(['init', '-input=false', '-no-color']));
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.server.close(resolve));
    await bitbucket?.close();
    sandbox?.remove();
  });

  test('apply converges to exactly 50 webhooks; the next plan is empty', async () => {
    bitbucket.setFaults({ rate: 0.2, status: 500, phase: 'either' });
    bitbucket.setRateLimit({ capacity: 10, refillPerSecond: 20 });
    const applied = await sandbox.terraform(['apply', '-auto-approve', '-input=false', '-no-color'], { timeoutMs: 240_000 });
    bitbucket.setFaults(null);
    bitbucket.setRateLimit(null);
    expectSuccess(applied);
    expect(applied.stdout).toMatch(/50 added, 0 changed, 0 destroyed/);
    expect(proxy.statuses.get(500) ?? 0).toBeGreaterThan(0);
    expect(proxy.statuses.get(429) ?? 0).toBeGreaterThan(0);

    const names = repositories.flatMap((slug) => bitbucket.repositoryWebhooks('LOAD', slug).map((hook) => hook.name));
    expect(names).toHaveLength(50);
    expect(new Set(names).size).toBe(50);
    for (const slug of repositories) expect(bitbucket.repositoryWebhooks('LOAD', slug)).toHaveLength(webhooksPerRepository);

    const plan = await sandbox.terraform(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
    expect({ code: plan.code, output: plan.code === 0 ? '' : plan.stdout + plan.stderr }).toEqual({ code: 0, output: '' });
  });
});
