import fc from 'fast-check';
import { branchNameProblem, commitProblem, projectRootProblem } from '../../src/domain/git';
import { hostileStrings, hostileValues, objectsWith, percentEncoded } from '../helpers/hostile';
import { describeEachEngine } from './harness';

const hostileString = hostileStrings(["'; DROP TABLE spaces; --", 'root', 'private://', 'https://']);
const hostileValue = hostileValues(hostileString);
const bodyWith = (fields: string[]) => objectsWith(fields, hostileValue);

const spaceFields = ['name', 'parentSpaceId', 'inheritEntities', 'description', 'labels'];
const integrationFields = ['name', 'isDefault', 'spaceId', 'apiHost', 'userFacingHost', 'username', 'accessToken', 'labels', 'description'];
const stackFields = ['name', 'spaceId', 'vcs', 'autodeploy', 'labels'];

/** Text aimed at where a run will use it: commits, branch names and paths (shell, traversal, Git's rules). */
const gitish = fc.oneof(
  hostileString,
  fc.constantFrom('$(id)', '`id`', '; rm -rf /', '../', '..', 'a/../b', '/etc/passwd', 'a\\b', '-rf', '@', '@{-1}', 'main.lock', '.git', 'a b'),
  fc.constantFrom('0123456789abcdef0123456789abcdef01234567', 'ABCDEF0123ABCDEF0123ABCDEF0123ABCDEF0123', 'main', 'release/1.x', 'infra/prod', ''),
  fc.stringMatching(/^[0-9a-fA-G]{38,42}$/),
  fc.array(fc.constantFrom('a', '.', '/', '..', '~', '^', ':', '\u0000', '$', '(', ')'), { maxLength: 8 }).map((parts) => parts.join('')),
);

describeEachEngine('API under hostile input', (server) => {
  it('never answers 5xx to generated bodies, ids and query strings', async () => {
    const team = await server.createSpace({ name: 'fuzz team' });
    const integration = await server.createIntegration({ name: 'fuzz bb', spaceId: team.id });
    const stack = await server.createStack({ name: 'fuzz stack', spaceId: team.id, vcs: { integrationId: integration.id } });
    const targets: [string, string, string[]][] = [
      ['POST', '/api/v1/spaces', spaceFields],
      ['PATCH', `/api/v1/spaces/${team.id}`, spaceFields],
      ['POST', '/api/v1/integrations/bitbucket-datacenter', integrationFields],
      ['PATCH', `/api/v1/integrations/bitbucket-datacenter/${integration.id}`, integrationFields],
      ['POST', '/api/v1/stacks', stackFields],
      ['PATCH', `/api/v1/stacks/${stack.id}`, stackFields],
      ['POST', '/api/v1/api-keys', ['name', 'roles']],
    ];
    const body = fc.oneof(hostileValue, ...targets.map(([, , fields]) => bodyWith(fields)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), body, async ([method, path], payload) => {
        const response = await server.request(method, path, { body: JSON.stringify(payload) ?? 'null' });
        expect(response.status).toBeLessThan(500);
        expect(response.body.error === undefined || typeof response.body.error.message === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('spaces', 'stacks', 'integrations/bitbucket-datacenter', 'api-keys'),
        fc.constantFrom('GET', 'PATCH', 'DELETE'),
        hostileString,
        async (collection, method, id) => {
          const response = await server.request(method, `/api/v1/${collection}/${percentEncoded(id)}`, {
            body: method === 'PATCH' ? {} : undefined,
          });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(hostileString, async (integrationId) => {
        const response = await server.request('GET', `/api/v1/stacks?integrationId=${percentEncoded(integrationId)}`);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('accepts only commits, branches and project roots a run can use as they are, and never answers 5xx', async () => {
    const integration = await server.createIntegration({ name: 'fuzz git' });
    const stack = await server.createStack({ name: 'fuzz git stack', vcs: { integrationId: integration.id } });
    await fc.assert(
      fc.asyncProperty(gitish, gitish, fc.boolean(), async (branch, projectRoot, patch) => {
        const vcs = { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'infra', branch, projectRoot };
        const response = patch
          ? await server.request('PATCH', `/api/v1/stacks/${stack.id}`, { body: { vcs: { branch, projectRoot } } })
          : await server.request('POST', '/api/v1/stacks', { body: { name: 'fuzzed', vcs } });
        expect(response.status).toBeLessThan(500);
        const storable = (text: string) => !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
        const valid = storable(branch) && storable(projectRoot) && branchNameProblem(branch.trim()) === null && projectRootProblem(projectRoot) === null;
        expect([branch, projectRoot, response.status < 300]).toEqual([branch, projectRoot, valid]);
        if (response.status >= 300) expect([400, 422]).toContain(response.status);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(gitish, hostileValue), async (commit) => {
        const response = await server.request('POST', `/api/v1/stacks/${stack.id}/runs`, { body: JSON.stringify({ commit }) });
        expect(response.status).toBeLessThan(500);
        const valid = typeof commit === 'string' && commitProblem(commit) === null;
        expect([commit, response.status]).toEqual([commit, valid ? 201 : 400]);
        if (valid) expect(response.body.commit).toMatch(/^[0-9a-f]{40}$/);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
