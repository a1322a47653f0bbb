/**
 * Every example in examples/ type-checks, and the ones beyond the quickstart (which quickstart.test.ts in
 * test/e2e/cdktf and test/e2e/cdktn takes through its whole life with each CLI) deploy with the real cdktf
 * CLI against `liftgate serve` and the Bitbucket emulator, creating what their README paragraphs promise.
 * test/constructs/cdktn.test.ts checks that CDK Terrain synthesizes the same configuration from each of them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/cli';
import { ApiIntegration, ApiRun, ApiSpace, ApiStack, Environment, cdkOk, describeWithCli, newProject, startEnvironment } from '../harness';

test('the quickstart is the app of the top-level cdktf.json', () => {
  expect(JSON.parse(readFileSync(join(repoRoot, 'cdktf.json'), 'utf8')).app).toBe('node examples/run.js examples/quickstart/main.ts');
});

test('the examples type-check against the library', () => {
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repoRoot, 'examples', 'tsconfig.json')], { stdio: 'pipe' });
}, 120_000);

let environment: Environment;

describeWithCli('cdktf', 'the examples deploy with cdktf', () => {
  beforeAll(async () => {
    environment = await startEnvironment();
    for (const [key, slugs] of [
      ['PLAT', ['network', 'dns']],
      ['RETAIL', ['checkout', 'catalog']],
      ['BANK', ['ledger']],
      ['APPS', ['web', 'mobile', 'api']],
    ] as const) {
      environment.bitbucket.createProject(key);
      for (const slug of slugs) environment.bitbucket.createRepository(key, slug);
    }
  }, 60_000);

  afterAll(async () => {
    await environment?.close();
  });

  async function deployExample(name: string): Promise<void> {
    await cdkOk('cdktf', newProject(environment.projectsDirectory, join(repoRoot, 'examples', name, 'main.ts'), 'cdktf'), ['deploy', '--auto-approve'], environment.env);
  }

  const integrationNamed = async (name: string) => {
    const listed = await environment.api<ApiIntegration[]>('/api/v1/integrations/bitbucket-datacenter');
    const found = listed.find((integration) => integration.name === name);
    if (found === undefined) throw new Error(`no integration named ${name}`);
    return environment.api<ApiIntegration>(`/api/v1/integrations/bitbucket-datacenter/${found.id}`);
  };

  test('nested spaces: one space-level integration per unit, team spaces inherit it, project webhooks start runs', async () => {
    await deployExample('nested-spaces');
    const spaces = await environment.api<ApiSpace[]>('/api/v1/spaces');
    const spaceNamed = (name: string) => spaces.find((space) => space.name === name)!;
    for (const [unit, teams] of [
      ['Retail', ['checkout', 'catalog']],
      ['Banking', ['ledger']],
    ] as const) {
      const integration = await integrationNamed(`${unit} Bitbucket`);
      expect(integration).toMatchObject({ isDefault: false, spaceId: spaceNamed(unit).id });
      for (const team of teams) expect(spaceNamed(`${unit} ${team}`)).toMatchObject({ parentSpaceId: spaceNamed(unit).id, inheritEntities: true });
    }
    const retail = await integrationNamed('Retail Bitbucket');
    expect(environment.bitbucket.projectWebhooks('RETAIL')).toEqual([expect.objectContaining({ url: retail.webhookUrl })]);
    const checkout = (await environment.api<ApiStack[]>('/api/v1/stacks')).find((stack) => stack.name === 'checkout')!;
    expect(checkout).toMatchObject({ spaceId: spaceNamed('Retail checkout').id, detached: false, vcs: { integrationId: retail.id } });
    expect(await environment.api(`/api/v1/stacks/${checkout.id}/environment`)).toMatchObject([{ name: 'BUSINESS_UNIT', value: 'RETAIL', secret: false }]);
    const pushed = await environment.bitbucket.push('RETAIL', 'checkout', { branch: 'main' });
    expect(pushed.deliveries.map((delivery: { outcome: string }) => delivery.outcome)).toEqual(['SUCCESS']);
    const runs = await environment.api<ApiRun[]>(`/api/v1/stacks/${checkout.id}/runs`);
    expect(runs.filter((run) => run.commit === pushed.change.toHash).map((run) => run.kind)).toEqual(['TRACKED']);
  }, 300_000);

  test('project fan-out: a webhook on every repository the data source lists; a new repository gets one on the next deploy', async () => {
    const project = newProject(environment.projectsDirectory, join(repoRoot, 'examples', 'project-fan-out', 'main.ts'), 'cdktf');
    await cdkOk('cdktf', project, ['deploy', '--auto-approve'], environment.env);
    const integration = await integrationNamed('Applications Bitbucket');
    const webhookOf = (slug: string) => environment.bitbucket.repositoryWebhooks('APPS', slug);
    for (const slug of ['web', 'mobile', 'api']) {
      expect(webhookOf(slug)).toEqual([expect.objectContaining({ url: integration.webhookUrl, active: true })]);
    }
    const before = ['web', 'mobile', 'api'].map(webhookOf);

    environment.bitbucket.createRepository('APPS', 'admin-ui');
    const output = await cdkOk('cdktf', project, ['deploy', '--auto-approve'], environment.env);
    expect(output).toMatch(/1 added, 0 changed, 0 destroyed/);
    expect(webhookOf('admin-ui')).toEqual([expect.objectContaining({ url: integration.webhookUrl, active: true })]);
    expect(['web', 'mobile', 'api'].map(webhookOf)).toEqual(before);
  }, 300_000);
});
