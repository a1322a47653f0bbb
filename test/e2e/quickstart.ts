/**
 * The quickstart app (examples/quickstart/main.ts, the app of the top-level cdktf.json) through its whole life
 * with one CLI, against a real `liftgate serve` and the Bitbucket emulator: create, an empty diff, a rename of
 * the default integration (stacks stay attached, webhooks follow, pushes still start runs) and destroy.
 * test/e2e/cdktf/quickstart.test.ts and test/e2e/cdktn/quickstart.test.ts run the same checks with each CLI.
 */
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
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
  startEnvironment,
  type CdkTool,
} from './harness';

const repositories: Array<[string, string]> = [
  ['PLAT', 'network'],
  ['PLAT', 'dns'],
];

export function quickstartLifecycle(tool: CdkTool): void {
  describeWithCli(tool, `the quickstart app with ${tool}: deploy, diff, rename, destroy`, () => {
    let environment: Environment;
    let project: string;
    let stacksBefore: ApiStack[];
    let integrationBefore: ApiIntegration;

    /** The app's environment: the quickstart reads the integration's name and repositories from it. */
    const appEnvironment = (integrationName: string) => ({ ...environment.env, LIFTGATE_INTEGRATION_NAME: integrationName, LIFTGATE_REPOSITORIES: 'PLAT/network,PLAT/dns' });

    /** The only integration, which must be the default one named `name`. */
    async function onlyIntegration(name: string): Promise<ApiIntegration> {
      const integrations = await integrationsWithSecrets(environment);
      expect(integrations.map((integration) => [integration.name, integration.isDefault, integration.spaceId])).toEqual([[name, true, 'root']]);
      return integrations[0]!;
    }

    async function platformStacks(): Promise<ApiStack[]> {
      const platform = (await environment.api<ApiSpace[]>('/api/v1/spaces')).find((space) => space.name === 'Platform');
      expect(platform).toMatchObject({ parentSpaceId: 'root' });
      const stacks = await environment.api<ApiStack[]>('/api/v1/stacks');
      return stacks.filter((stack) => stack.spaceId === platform!.id).sort((a, b) => a.name.localeCompare(b.name));
    }

    beforeAll(async () => {
      environment = await startEnvironment();
      environment.bitbucket.createProject('PLAT');
      for (const [, slug] of repositories) environment.bitbucket.createRepository('PLAT', slug);
      project = newProject(environment.projectsDirectory, join(repoRoot, 'examples', 'quickstart', 'main.ts'), tool);
    }, 60_000);

    afterAll(async () => {
      await environment?.close();
    });

    test(`${tool} deploy creates the default integration, a signed webhook on each repository and a space with two stacks`, async () => {
      const output = await cdkOk(tool, project, ['deploy', '--auto-approve'], appEnvironment('Bitbucket'));
      expect(output).toMatch(/Apply complete! Resources: 6 added, 0 changed, 0 destroyed/);
      integrationBefore = await onlyIntegration('Bitbucket');
      expectWebhooksTo(environment, integrationBefore, repositories);
      stacksBefore = await platformStacks();
      expect(stacksBefore.map((stack) => [stack.name, stack.detached, stack.vcs.integrationId, stack.vcs.projectKey, stack.vcs.repositorySlug])).toEqual([
        ['dns', false, integrationBefore.id, 'PLAT', 'dns'],
        ['network', false, integrationBefore.id, 'PLAT', 'network'],
      ]);
    }, 300_000);

    test(`${tool} diff is empty right after the deploy`, async () => {
      const output = await cdkOk(tool, project, ['diff'], appEnvironment('Bitbucket'));
      expect(output).toContain('No changes.');
    }, 300_000);

    test('renaming the integration replaces it, keeps both stacks attached and re-points the webhooks; pushes still start runs', async () => {
      const output = await cdkOk(tool, project, ['deploy', '--auto-approve'], appEnvironment('Bitbucket Data Center'));
      expect(output).toMatch(/Apply complete! Resources: 1 added, \d+ changed, 1 destroyed/);
      const renamed = await onlyIntegration('Bitbucket Data Center');
      expect(renamed.id).not.toBe(integrationBefore.id);
      expect(renamed.webhookUrl).not.toBe(integrationBefore.webhookUrl);
      expectWebhooksTo(environment, renamed, repositories);
      const stacks = await platformStacks();
      // The same stacks (updated in place), attached to the new integration.
      expect(stacks.map((stack) => [stack.id, stack.detached, stack.vcs.integrationId])).toEqual(stacksBefore.map((stack) => [stack.id, false, renamed.id]));
      for (const stack of stacks) {
        expect((await pushTrackedBranch(environment, stack)).map((run) => run.kind)).toEqual(['TRACKED']);
      }
    }, 300_000);

    test(`${tool} destroy leaves nothing in the control plane or in Bitbucket`, async () => {
      await cdkOk(tool, project, ['destroy', '--auto-approve'], appEnvironment('Bitbucket Data Center'));
      expect(await environment.api<ApiIntegration[]>('/api/v1/integrations/bitbucket-datacenter')).toEqual([]);
      expect(await environment.api<ApiStack[]>('/api/v1/stacks')).toEqual([]);
      expect((await environment.api<ApiSpace[]>('/api/v1/spaces')).map((space) => space.id)).toEqual(['root']);
      for (const [projectKey, slug] of repositories) expect(environment.bitbucket.repositoryWebhooks(projectKey, slug)).toEqual([]);
    }, 300_000);
  });
}
