import { TestControlPlane } from './harness';

/**
 * Decisions that depend on the space tree and on an integration's space, made by concurrent requests on a real
 * PostgreSQL (PGlite runs one statement at a time, so it cannot race). Whatever the interleaving, no stack may end
 * up using an integration it cannot reach.
 */
const TRIES = 40;
const server = new TestControlPlane('postgres');

beforeAll(() => server.start(), 60_000);
afterAll(() => server.stop(), 30_000);
beforeEach(() => server.reset());

/** Stacks that are attached to an integration their space cannot use (by the rules of SPEC §1). */
async function strandedStacks(): Promise<string[]> {
  const rows = await server.db.query<{ id: string }>(
    `WITH RECURSIVE sources AS (
       SELECT s.id AS stack_id, sp.id AS space_id, sp.parent_space_id, sp.inherit_entities, 0 AS depth
       FROM stacks s JOIN spaces sp ON sp.id = s.space_id
       UNION ALL
       SELECT sources.stack_id, parent.id, parent.parent_space_id, parent.inherit_entities, sources.depth + 1
       FROM sources JOIN spaces parent ON parent.id = sources.parent_space_id
       WHERE sources.inherit_entities AND sources.depth < 100
     )
     SELECT s.id FROM stacks s JOIN integrations i ON i.id = s.integration_id
     WHERE NOT s.detached AND NOT i.is_default
       AND NOT EXISTS (SELECT 1 FROM sources WHERE sources.stack_id = s.id AND sources.space_id = i.space_id)`,
  );
  return rows.map((row) => row.id);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('never leaves a stack on an inherited integration when inheritance is turned off at the same moment', async () => {
  const outcomes = { stackFirst: 0, inheritanceFirst: 0 };
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const parent = await server.createSpace({ name: `parent ${attempt}` });
    const child = await server.createSpace({ name: `child ${attempt}`, parentSpaceId: parent.id, inheritEntities: true });
    const integration = await server.createIntegration({ name: `parent bb ${attempt}`, spaceId: parent.id });
    const [stack, patch] = await Promise.all([
      pause(attempt % 3).then(() =>
        server.request('POST', '/api/v1/stacks', {
          body: { name: 'racer', spaceId: child.id, vcs: { integrationId: integration.id, projectKey: 'P', repositorySlug: 'r', branch: 'main' } },
        }),
      ),
      pause((attempt + 1) % 3).then(() => server.request('PATCH', `/api/v1/spaces/${child.id}`, { body: { inheritEntities: false } })),
    ]);
    // Exactly one of the two wins: the stack (and the PATCH is refused naming it) or the PATCH (and the stack is refused).
    expect([stack.status, patch.status].sort()).toEqual(stack.status === 201 ? [201, 409] : [200, 422]);
    if (stack.status === 201) outcomes.stackFirst += 1;
    else outcomes.inheritanceFirst += 1;
  }
  expect(await strandedStacks()).toEqual([]);
  expect(outcomes.stackFirst + outcomes.inheritanceFirst).toBe(TRIES);
}, 120_000);

it('never leaves a stack on an integration moved out of its reach at the same moment', async () => {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const parent = await server.createSpace({ name: `home ${attempt}` });
    const elsewhere = await server.createSpace({ name: `elsewhere ${attempt}` });
    const child = await server.createSpace({ name: `user ${attempt}`, parentSpaceId: parent.id, inheritEntities: true });
    const integration = await server.createIntegration({ name: `movable ${attempt}`, spaceId: parent.id });
    const [stack, move] = await Promise.all([
      pause(attempt % 3).then(() =>
        server.request('POST', '/api/v1/stacks', {
          body: { name: 'racer', spaceId: child.id, vcs: { integrationId: integration.id, projectKey: 'P', repositorySlug: 'r', branch: 'main' } },
        }),
      ),
      pause((attempt + 1) % 3).then(() =>
        server.request('PATCH', `/api/v1/integrations/bitbucket-datacenter/${integration.id}`, { body: { spaceId: elsewhere.id } }),
      ),
    ]);
    expect([stack.status, move.status].sort()).toEqual(stack.status === 201 ? [201, 409] : [200, 422]);
  }
  expect(await strandedStacks()).toEqual([]);
}, 120_000);
