/**
 * The construct library end to end: the real cdktf CLI deploys test/e2e/cdktf/app.js against a real
 * `liftgate serve` and the Bitbucket emulator; then diff, renames, a removed repository, drift and destroy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiIntegration,
  ApiSpace,
  ApiStack,
  Environment,
  cdkOk,
  describeWithCli,
  expectWebhooksTo,
  integrationsWithSecrets,
  newProject,
  pushTrackedBranch,
  run,
  startEnvironment,
} from '../harness';

let environment: Environment;
let project: string;
let env: NodeJS.ProcessEnv;

function configure(config: { defaultIntegrationName: string; defaultRepositories: string[]; opsIntegrationName: string }): void {
  writeFileSync(join(project, 'app-config.json'), JSON.stringify(config));
}

const integrationDetails = () => integrationsWithSecrets(environment);
const webhooksOf = (projectKey: string, slug: string) => environment.bitbucket.repositoryWebhooks(projectKey, slug);
const expectWebhooksPointAt = (integration: ApiIntegration, repositories: Array<[string, string]>) => expectWebhooksTo(environment, integration, repositories);
const pushAndRuns = (stack: ApiStack) => pushTrackedBranch(environment, stack);

describeWithCli('cdktf', 'cdktf deploy / diff / destroy with the Liftgate constructs', () => {
  beforeAll(async () => {
    environment = await startEnvironment();
    for (const [key, slugs] of [
      ['PLAT', ['network', 'dns', 'web']],
      ['OPS', ['tools']],
    ] as const) {
      environment.bitbucket.createProject(key);
      for (const slug of slugs) environment.bitbucket.createRepository(key, slug);
    }
    project = newProject(environment.projectsDirectory, join(__dirname, 'app.js'), 'cdktf');
    env = { ...environment.env, LIFTGATE_E2E_APP_CONFIG: join(project, 'app-config.json') };
  }, 60_000);

  afterAll(async () => {
    await environment?.close();
  });

  let stacksByName: Record<string, ApiStack>;

  test('deploy creates the integrations, spaces, stacks and a webhook on every listed repository', async () => {
    configure({ defaultIntegrationName: 'Main DC', defaultRepositories: ['network', 'dns', 'web'], opsIntegrationName: 'Ops DC' });
    await cdkOk('cdktf', project, ['deploy', '--auto-approve'], env);

    const integrations = await integrationDetails();
    const main = integrations.find((integration) => integration.isDefault)!;
    const ops = integrations.find((integration) => !integration.isDefault)!;
    expect(integrations.map((integration) => integration.name).sort()).toEqual(['Main DC', 'Ops DC']);
    const spaces = await environment.api<ApiSpace[]>('/api/v1/spaces');
    const opsSpace = spaces.find((space) => space.name === 'Ops')!;
    expect(opsSpace).toMatchObject({ parentSpaceId: 'root', inheritEntities: false });
    expect(ops.spaceId).toBe(opsSpace.id);

    const stacks = await environment.api<ApiStack[]>('/api/v1/stacks');
    stacksByName = Object.fromEntries(stacks.map((stack) => [stack.name, stack]));
    expect(Object.keys(stacksByName).sort()).toEqual(['dns', 'network', 'tools']);
    expect(stacksByName.network).toMatchObject({ spaceId: 'root', detached: false, vcs: { integrationId: main.id, branch: 'main' } });
    expect(stacksByName.dns.vcs.integrationId).toBe(main.id);
    expect(stacksByName.tools).toMatchObject({ spaceId: opsSpace.id, vcs: { integrationId: ops.id } });

    expectWebhooksPointAt(main, [
      ['PLAT', 'network'],
      ['PLAT', 'dns'],
      ['PLAT', 'web'],
    ]);
    expectWebhooksPointAt(ops, [['OPS', 'tools']]);
  }, 300_000);

  test('cdktf diff is empty right after the deploy', async () => {
    const output = await cdkOk('cdktf', project, ['diff'], env);
    expect(output).toContain('No changes.');
  }, 300_000);

  test('renaming both integrations: no stack detached, every webhook re-pointed, a push triggers a run', async () => {
    const before = await integrationDetails();
    configure({ defaultIntegrationName: 'Main DC 2', defaultRepositories: ['network', 'dns', 'web'], opsIntegrationName: 'Ops DC 2' });
    const output = await cdkOk('cdktf', project, ['deploy', '--auto-approve'], env);

    // The order Terraform applied: the space-level integration is created, its stack and webhook re-pointed,
    // and only then the old one destroyed; the default integration is destroyed before its successor exists.
    const position = (pattern: RegExp) => {
      const match = pattern.exec(output);
      if (match === null) throw new Error(`${pattern} not in the deploy output:\n${output}`);
      return match.index;
    };
    const opsAddress = 'liftgate_bitbucket_datacenter_integration\\.OpsBitbucket_[0-9A-F]{8}';
    const mainAddress = 'liftgate_bitbucket_datacenter_integration\\.Main_[0-9A-F]{8}';
    expect(position(new RegExp(`${opsAddress} \\(OpsBitbucket/Resource\\): Creation complete`))).toBeLessThan(position(new RegExp(`${opsAddress}[^\\n]*Destruction complete`)));
    expect(position(/liftgate_stack\.Tools_[0-9A-F]{8}[^\n]*Modifications complete/)).toBeLessThan(position(new RegExp(`${opsAddress}[^\\n]*Destruction complete`)));
    expect(position(/bitbucketdc_repository_webhook\.OpsBitbucket_Webhook-OPS-tools_[0-9A-F]{8}[^\n]*Modifications complete/)).toBeLessThan(
      position(new RegExp(`${opsAddress}[^\\n]*Destruction complete`)),
    );
    expect(position(new RegExp(`${mainAddress}[^\\n]*Destruction complete`))).toBeLessThan(position(new RegExp(`${mainAddress} \\(Main/Resource\\): Creation complete`)));

    const integrations = await integrationDetails();
    expect(integrations.map((integration) => integration.name).sort()).toEqual(['Main DC 2', 'Ops DC 2']);
    const main = integrations.find((integration) => integration.isDefault)!;
    const ops = integrations.find((integration) => !integration.isDefault)!;
    expect(before.map((integration) => integration.webhookUrl)).not.toContain(main.webhookUrl);

    const stacks = await environment.api<ApiStack[]>('/api/v1/stacks');
    expect(stacks.filter((stack) => stack.detached)).toEqual([]);
    const byName = Object.fromEntries(stacks.map((stack) => [stack.name, stack]));
    // The stacks are updated in place (same ids), pointing at the new integrations.
    expect(Object.fromEntries(stacks.map((stack) => [stack.name, stack.id]))).toEqual(Object.fromEntries(Object.values(stacksByName).map((stack) => [stack.name, stack.id])));
    expect(byName.network.vcs.integrationId).toBe(main.id);
    expect(byName.dns.vcs.integrationId).toBe(main.id);
    expect(byName.tools.vcs.integrationId).toBe(ops.id);

    expectWebhooksPointAt(main, [
      ['PLAT', 'network'],
      ['PLAT', 'dns'],
      ['PLAT', 'web'],
    ]);
    expectWebhooksPointAt(ops, [['OPS', 'tools']]);
    for (const name of ['network', 'dns', 'tools']) {
      expect((await pushAndRuns(byName[name])).map((run) => run.kind)).toEqual(['TRACKED']);
    }
  }, 300_000);

  test('removing a repository from the list deletes only its webhook', async () => {
    const kept = { network: webhooksOf('PLAT', 'network')[0], dns: webhooksOf('PLAT', 'dns')[0], tools: webhooksOf('OPS', 'tools')[0] };
    configure({ defaultIntegrationName: 'Main DC 2', defaultRepositories: ['network', 'dns'], opsIntegrationName: 'Ops DC 2' });
    const output = await cdkOk('cdktf', project, ['deploy', '--auto-approve'], env);
    expect(output).toMatch(/0 added, 0 changed, 1 destroyed/);
    expect(webhooksOf('PLAT', 'web')).toEqual([]);
    expect(webhooksOf('PLAT', 'network')).toEqual([kept.network]);
    expect(webhooksOf('PLAT', 'dns')).toEqual([kept.dns]);
    expect(webhooksOf('OPS', 'tools')).toEqual([kept.tools]);
  }, 300_000);

  test('CI drift check: after a webhook is edited in Bitbucket, terraform plan -detailed-exitcode exits 2 and names it', async () => {
    const webhook = webhooksOf('PLAT', 'dns')[0];
    const edited = await fetch(`${environment.bitbucket.url}/rest/api/latest/projects/PLAT/repos/dns/webhooks/${webhook.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${environment.bitbucket.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...webhook, events: ['repo:refs_changed'] }),
    });
    expect(edited.status).toBe(200);

    // The documented recipe (README "Drift check in CI"): synth, then plan the synthesized stack.
    await cdkOk('cdktf', project, ['synth'], env);
    const stackDirectory = join(project, 'cdktf.out', 'stacks', 'liftgate');
    const init = await run('terraform', ['init', '-input=false', '-no-color'], { cwd: stackDirectory, env });
    expect(init.code).toBe(0);
    const plan = await run('terraform', ['plan', '-detailed-exitcode', '-input=false', '-lock=false', '-no-color'], { cwd: stackDirectory, env });
    expect(plan.code).toBe(2);
    expect(plan.output).toMatch(/# bitbucketdc_repository_webhook\.Main_Webhook-PLAT-dns_[0-9A-F]{8} will be updated in-place/);
    expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  }, 300_000);

  test('destroy leaves nothing in the control plane or in Bitbucket', async () => {
    await cdkOk('cdktf', project, ['destroy', '--auto-approve'], env);
    expect(await environment.api<ApiIntegration[]>('/api/v1/integrations/bitbucket-datacenter')).toEqual([]);
    expect(await environment.api<ApiStack[]>('/api/v1/stacks')).toEqual([]);
    expect((await environment.api<ApiSpace[]>('/api/v1/spaces')).map((space) => space.id)).toEqual(['root']);
    for (const [projectKey, slug] of [
      ['PLAT', 'network'],
      ['PLAT', 'dns'],
      ['PLAT', 'web'],
      ['OPS', 'tools'],
    ]) {
      expect(webhooksOf(projectKey, slug)).toEqual([]);
    }
  }, 300_000);
});
