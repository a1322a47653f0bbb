import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseBitbucketHostPolicy } from '../../src/domain/bitbucket-hosts';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { buildApp } from '../../src/server/app';
import { hookRepository } from '../helpers/serve';
import { runTerraform } from '../helpers/terraform';
import { throwawayTls, type ThrowawayTls } from '../helpers/tls';
import { BitbucketSource } from '../../src/worker/bitbucket';
import type { WorkerPool } from '../../src/worker/pool';
import { TestControlPlane } from '../server/harness';
import { ended, readLog, RecordingFeedback, startPool, waitForRun } from '../worker/harness';

/**
 * The module registry with the real `terraform` (SPEC §10): a module pushed and tagged in the emulator is downloaded by
 * `terraform init` from the control plane over HTTPS (a throwaway CA trusted through SSL_CERT_FILE, the API key in a
 * `credentials` block) and used by a plain local `terraform apply`, and by a stack's code run by Liftgate's workers.
 * Two control planes share one store, as replicas do: one over HTTP for the emulator's webhooks and the state
 * backend, one over HTTPS for Terraform's registry requests.
 */
jest.setTimeout(240_000);

const server = new TestControlPlane('pglite');
let registry: FastifyInstance;
let host = '';
let emulator: RunningEmulator;
let tls: ThrowawayTls;
let root: string;
let integrationId = '';

const MODULE_V1 = 'variable "name" {\n  type = string\n}\n\noutput "greeting" {\n  value = "hello ${var.name}"\n}\n';
const MODULE_V11 = 'variable "name" {\n  type = string\n}\n\noutput "greeting" {\n  value = "hello again ${var.name}"\n}\n';

/** A configuration using the registry module, in its own directory, with a CLI config holding `key` for the registry host. */
function configuration(name: string, key: string): { cwd: string; cliConfig: string } {
  const cwd = join(root, name);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(
    join(cwd, 'main.tf'),
    `module "net" {\n  source  = "${host}/root/network/aws"\n  version = "~> 1.0"\n  name    = "liftgate"\n}\n\noutput "greeting" {\n  value = module.net.greeting\n}\n`,
  );
  const cliConfig = join(cwd, 'terraformrc');
  writeFileSync(cliConfig, `credentials "${host}" {\n  token = "${key}"\n}\n`);
  return { cwd, cliConfig };
}

function terraform(args: string[], where: { cwd: string; cliConfig: string }) {
  return runTerraform(args, { ...where, timeoutMs: 120_000, env: { SSL_CERT_FILE: tls.caFile } });
}

async function initAndApply(name: string, key: string, upgrade = false): Promise<string> {
  const where = configuration(name, key);
  const init = await terraform(['init', '-no-color', '-input=false', ...(upgrade ? ['-upgrade'] : [])], where);
  expect([init.code, init.output]).toEqual([0, expect.any(String)]);
  const apply = await terraform(['apply', '-no-color', '-input=false', '-auto-approve'], where);
  expect([apply.code, apply.output]).toEqual([0, expect.any(String)]);
  const output = await terraform(['output', '-raw', 'greeting'], where);
  return output.stdout;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liftgate-modules-e2e-'));
  tls = throwawayTls(root);
  await server.start();
  await server.reset();
  registry = await buildApp({
    db: server.db,
    publicUrl: 'https://127.0.0.1',
    encryptionKey: server.encryptionKey,
    allowedBitbucketHosts: parseBitbucketHostPolicy('loopback'),
    tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
  });
  const address = await registry.listen({ host: '127.0.0.1', port: 0 });
  host = new URL(address).host;
  emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'modules', { defaultBranch: 'main' });
  emulator.createRepository('PLAT', 'infra', { defaultBranch: 'main' });
  const account = emulator.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/modules': 'REPO_ADMIN', 'PLAT/infra': 'REPO_ADMIN' } });
  const integration = await server.createIntegration({ name: 'Emulated Bitbucket', apiHost: emulator.url, username: 'svc-liftgate', accessToken: account.token });
  integrationId = integration.id;
  const receiverUrl = `${await server.listen()}/webhooks/bitbucket-datacenter/${integration.id}`;
  await hookRepository(emulator, { projectKey: 'PLAT', slug: 'modules' }, { url: receiverUrl, secret: integration.webhookSecret, events: HANDLED_EVENTS });
  const created = await server.request('POST', '/api/v1/modules', {
    body: { name: 'network', terraformProvider: 'aws', vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'modules', branch: 'main', projectRoot: 'network' } },
  });
  expect(created.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  await registry?.close();
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the module registry with the real terraform', () => {
  it('terraform init downloads v1.0.0 of a tagged module over HTTPS and a local apply uses it', async () => {
    await emulator.push('PLAT', 'modules', { branch: 'main', files: { 'network/main.tf': MODULE_V1, 'README.md': '# modules\n' } });
    await emulator.createTag('PLAT', 'modules', { name: 'v1.0.0' });
    expect(await initAndApply('first', server.adminKey)).toBe('hello liftgate');
  });

  it('tagging v1.1.0 with a change is what the next init picks; deleting the tag retracts it', async () => {
    await emulator.push('PLAT', 'modules', { branch: 'main', files: { 'network/main.tf': MODULE_V11 } });
    await emulator.createTag('PLAT', 'modules', { name: 'v1.1.0' });
    expect(await initAndApply('first', server.adminKey, true)).toBe('hello again liftgate');
    await emulator.deleteTag('PLAT', 'modules', 'v1.1.0');
    expect(await initAndApply('after-retraction', server.adminKey)).toBe('hello liftgate');
  });

  it('a key without read on the module space gets 404 from terraform init', async () => {
    const team = await server.createSpace({ name: 'team' });
    const outsider = await server.createKey([{ spaceId: team.id, role: 'admin' }]);
    const init = await terraform(['init', '-no-color', '-input=false'], configuration('outsider', outsider));
    expect(init.code).not.toBe(0);
    // Terraform's words for the registry's 404 (its registry client reports a 404 as a module not found).
    expect(init.output).toContain(`Module "net" (from main.tf:1) cannot be found in the module registry at\n${host}.`);
  });
});

describe('the module registry in a Liftgate run', () => {
  let pool: WorkerPool | undefined;
  afterAll(async () => {
    await pool?.stop();
  });

  /** Queues a TRACKED run of the stack and waits for it to end; its state and log. */
  async function runOf(stackId: string): Promise<{ state: string; log: string }> {
    const queued = await server.request('POST', `/api/v1/stacks/${stackId}/runs`, { body: {} });
    expect(queued.status).toBe(201);
    const run = await waitForRun(server, stackId, queued.body.id, ended, 180_000);
    return { state: run.state, log: await readLog(server, await server.listen(), stackId, run.id) };
  }

  it("a stack's code using the registry module plans and applies through a run; the next run after v1.1.0 picks it up", async () => {
    // The stack's code, in its own repository: the module from the registry, by version constraint.
    const code = `module "net" {\n  source  = "${host}/root/network/aws"\n  version = "~> 1.0"\n  name    = "run"\n}\n\noutput "greeting" {\n  value = module.net.greeting\n}\n`;
    await emulator.push('PLAT', 'infra', { branch: 'main', files: { 'main.tf': code } });
    const stack = await server.createStack({ name: 'uses-module', autodeploy: true, vcs: { integrationId, projectKey: 'PLAT', repositorySlug: 'infra', branch: 'main' } });
    // Runs trust the registry's CA through the stack's environment; the operator's CLI configuration holds the key.
    expect((await server.request('PUT', `/api/v1/stacks/${stack.id}/environment/SSL_CERT_FILE`, { body: { value: tls.caFile } })).status).toBe(201);
    const cliConfig = join(root, 'worker.terraformrc');
    const reader = await server.createKey([{ spaceId: 'root', role: 'read' }], 'runs read modules');
    writeFileSync(cliConfig, `credentials "${host}" {\n  token = "${reader}"\n}\n`);
    pool = startPool(server, await server.listen(), new BitbucketSource({ hosts: parseBitbucketHostPolicy('loopback') }), new RecordingFeedback(), { terraformCliConfig: cliConfig }).pool;

    const first = await runOf(stack.id);
    expect([first.state, first.log]).toEqual(['FINISHED', expect.stringContaining('greeting = "hello run"')]);
    expect(first.log).toContain(`Downloading ${host}/root/network/aws 1.0.0 for net...`);

    // v1.1.0 was retracted above; a new tag of the same version publishes it again, at the current head.
    await emulator.createTag('PLAT', 'modules', { name: 'v1.1.0' });
    const second = await runOf(stack.id);
    expect([second.state, second.log]).toEqual(['FINISHED', expect.stringContaining('greeting = "hello again run"')]);
    expect(second.log).toContain(`Downloading ${host}/root/network/aws 1.1.0 for net...`);
  });
});
