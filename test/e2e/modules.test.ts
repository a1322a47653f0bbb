import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseBitbucketHostPolicy } from '../../src/domain/bitbucket-hosts';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { buildApp } from '../../src/server/app';
import { runTerraform } from '../helpers/terraform';
import { throwawayTls, type ThrowawayTls } from '../helpers/tls';
import { TestControlPlane } from '../server/harness';

/**
 * The module registry with the real `terraform` (SPEC §10): a module pushed and tagged in the emulator is downloaded by
 * `terraform init` from the control plane over HTTPS (a throwaway CA trusted through SSL_CERT_FILE, the API key in a
 * `credentials` block) and used by a plain local `terraform apply`. Two control planes share one store, as replicas
 * do: one over HTTP for the emulator's webhooks, one over HTTPS for Terraform.
 */
jest.setTimeout(240_000);

const server = new TestControlPlane('pglite');
let registry: FastifyInstance;
let host = '';
let emulator: RunningEmulator;
let tls: ThrowawayTls;
let root: string;

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
  const account = emulator.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/modules': 'REPO_ADMIN' } });
  const integration = await server.createIntegration({ name: 'Emulated Bitbucket', apiHost: emulator.url, username: 'svc-liftgate', accessToken: account.token });
  const receiverUrl = `${await server.listen()}/webhooks/bitbucket-datacenter/${integration.id}`;
  const hook = await fetch(`${emulator.url}/rest/api/latest/projects/PLAT/repos/modules/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'liftgate', url: receiverUrl, active: true, events: HANDLED_EVENTS, configuration: { secret: integration.webhookSecret } }),
  });
  expect(hook.ok).toBe(true);
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
