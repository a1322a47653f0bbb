/**
 * What the constructs synthesize is valid for the real providers: `Testing.toBeValidTerraform` runs
 * `terraform init` + `terraform validate` on a full synth, with both providers installed into a temporary
 * mirror (needs a built lib/ and terraform). Catches attribute names or types the generated bindings and the
 * providers' schemas disagree on, and the providers' own validators.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { BitbucketDatacenterIntegration, LiftgateStack, Space, WebhookEvent } from '../../src';
import { runCli } from '../helpers/cli';
import { newStack } from './helpers';

let work: string;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'liftgate-constructs-validate-'));
  const mirror = join(work, 'mirror');
  const installed = await runCli(['provider', 'install', '--dir', mirror]);
  if (installed.code !== 0) throw new Error(`provider install failed: ${installed.stderr}`);
  const cliConfig = join(work, 'terraform.rc');
  writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/liftgate/*"]\n  }\n}\n`);
  // Testing.toBeValidTerraform runs terraform with this process's environment.
  Object.assign(process.env, { TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' });
  delete process.env.TF_PLUGIN_CACHE_DIR;
}, 60_000);

afterAll(() => {
  process.env = savedEnvironment;
  rmSync(work, { recursive: true, force: true });
});

test('every construct and option synthesizes configuration terraform validate accepts', () => {
  const stack = newStack();
  const space = new Space(stack, 'Platform', { name: 'Platform', description: 'd', labels: ['a'] });
  const child = new Space(stack, 'Network', { name: 'Network', parent: space, inheritEntities: true });
  new BitbucketDatacenterIntegration(stack, 'Main', {
    name: 'Main',
    isDefault: true,
    apiHost: 'https://bitbucket.example.com',
    userFacingHost: 'https://bitbucket.example.com/ui',
    username: 'bot',
    accessToken: 'token',
    accessTokenVersion: 1,
    labels: ['dc'],
    description: 'Main',
    repositories: [{ projectKey: 'PLAT', repositorySlug: 'network' }],
    projects: ['OPS'],
    allRepositoriesOfProjects: ['APPS'],
    webhookEvents: [WebhookEvent.REPO_REFS_CHANGED, WebhookEvent.PR_OPENED],
    webhookName: 'CI',
    webhookSslVerificationRequired: false,
  });
  const spaceLevel = new BitbucketDatacenterIntegration(stack, 'SpaceLevel', { name: 'Space level', space, apiHost: 'private://pool', username: 'bot', accessToken: 'token' });
  new LiftgateStack(stack, 'Implicit', { name: 'implicit', projectKey: 'PLAT', repositorySlug: 'network' });
  const explicit = new LiftgateStack(stack, 'Explicit', {
    name: 'explicit',
    space: child,
    integration: spaceLevel,
    projectKey: 'PLAT',
    repositorySlug: 'network',
    branch: 'release/1.x',
    projectRoot: 'infra',
    autodeploy: true,
    labels: ['x'],
    manageState: false,
  });
  explicit.addEnvironmentVariable('AWS_REGION', 'eu-west-1');
  explicit.addEnvironmentVariable('DEPLOY_TOKEN', 'token', { secret: true });
  BitbucketDatacenterIntegration.fromIntegrationId(stack, 'Imported', 'main');
  expect(Testing.toBeValidTerraform(Testing.fullSynth(stack))).toBe(true);
}, 120_000);
