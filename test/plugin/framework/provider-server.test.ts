import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnknown, unknown } from '../../../src/plugin/cty/types';
import { type ResourceDefinition } from '../../../src/plugin/framework/definitions';
import { ProviderServer } from '../../../src/plugin/framework/provider-server';
import { numberAttribute, stringAttribute } from '../../../src/plugin/framework/schema';
import { provider as kvProvider } from '../fixtures/kv-provider';

const entryConfig = {
  id: null,
  key: 'alpha',
  value: 'one',
  tags: ['x', 'y'],
  labels: { team: 'core' },
  priority: null,
  enabled: null,
  secret: 's3cret',
  token_wo: 'tok',
  token_wo_version: 1,
  revision: null,
};

describe('ProviderServer with the kv fixture', () => {
  let directory: string;
  let server: ProviderServer;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kv-server-'));
    server = new ProviderServer(kvProvider);
    expect(await server.configure({ directory }, '1.11.4')).toEqual([]);
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  async function create() {
    const plan = await server.planResourceChange('kv_entry', null, entryConfig, entryConfig);
    expect(plan.diagnostics).toEqual([]);
    return server.applyResourceChange('kv_entry', null, plan.planned, entryConfig);
  }

  it('creates, reads back, plans no change, updates, and deletes', async () => {
    const created = await create();
    expect(created.diagnostics).toEqual([]);
    expect(created.state).toMatchObject({ id: 'alpha', priority: 50, enabled: true, revision: 1, token_wo: null, token_wo_version: 1 });
    const stored = JSON.parse(readFileSync(join(directory, 'alpha.json'), 'utf8'));
    expect(stored.tokenSha256).toMatch(/^[0-9a-f]{64}$/);

    const read = await server.readResource('kv_entry', created.state!);
    expect(read).toEqual({ state: created.state, diagnostics: [] });

    const proposed = { ...entryConfig, id: 'alpha', priority: 50, enabled: true, revision: 1, token_wo: null };
    const again = await server.planResourceChange('kv_entry', read.state, proposed, entryConfig);
    expect(again.planned).toEqual(read.state);
    expect(again.requiresReplace).toEqual([]);

    const changedConfig = { ...entryConfig, value: 'two' };
    const update = await server.planResourceChange('kv_entry', read.state, { ...proposed, value: 'two' }, changedConfig);
    expect(isUnknown(update.planned!.revision)).toBe(true);
    const updated = await server.applyResourceChange('kv_entry', read.state, update.planned, changedConfig);
    expect(updated.diagnostics).toEqual([]);
    expect(updated.state).toMatchObject({ value: 'two', revision: 2 });

    const destroyPlan = await server.planResourceChange('kv_entry', updated.state, null, null);
    expect(destroyPlan.planned).toBeNull();
    expect(destroyPlan.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', summary: 'Entry will be deleted' })]);
    expect(await server.applyResourceChange('kv_entry', updated.state, null, null)).toEqual({ state: null, diagnostics: [] });
    expect(await server.readResource('kv_entry', updated.state!)).toEqual({ state: null, diagnostics: [] });
  });

  it('plans replacement when the key changes', async () => {
    const created = await create();
    const changedConfig = { ...entryConfig, key: 'beta' };
    const plan = await server.planResourceChange('kv_entry', created.state, { ...created.state!, key: 'beta' }, changedConfig);
    expect(plan.requiresReplace).toEqual([[{ attribute: 'key' }]]);
  });

  it('imports by key into the same state read produces', async () => {
    const created = await create();
    const imported = await server.importResourceState('kv_entry', 'alpha');
    expect(imported.diagnostics).toEqual([]);
    expect((await server.readResource('kv_entry', imported.state!)).state).toEqual(created.state);
  });

  it('reports every validation problem with its attribute path', async () => {
    const diagnostics = await server.validateResourceConfig('kv_entry', { ...entryConfig, key: 'Bad Key', priority: 500, tags: [''], token_wo: null });
    expect(diagnostics.map((diagnostic) => diagnostic.path)).toEqual([
      [{ attribute: 'key' }],
      [{ attribute: 'tags' }],
      [{ attribute: 'priority' }],
      [{ attribute: 'token_wo_version' }],
    ]);
  });

  it('upgrades stored JSON trivially: drops removed attributes and adds new ones as null', async () => {
    const created = await create();
    const { token_wo_version: _dropped, ...older } = created.state!;
    const upgraded = await server.upgradeResourceState('kv_entry', 0, JSON.stringify({ ...older, removed_attribute: 'x' }));
    expect(upgraded).toEqual({ state: { ...created.state, token_wo_version: null }, diagnostics: [] });
    expect((await server.upgradeResourceState('kv_entry', 1, '{}')).diagnostics[0]?.summary).toBe('Resource state from a newer provider');
  });

  it('reads a data source', async () => {
    await create();
    expect(await server.readDataSource('kv_entries', { prefix: 'al', keys: null, entries: null })).toEqual({
      state: { prefix: 'al', keys: ['alpha'], entries: [{ key: 'alpha', value: 'one', enabled: true }] },
      diagnostics: [],
    });
  });

  it('keeps the state when the object changed out of band, showing the drift', async () => {
    const created = await create();
    const file = join(directory, 'alpha.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), value: 'edited' }));
    expect((await server.readResource('kv_entry', created.state!)).state).toMatchObject({ value: 'edited' });
  });
});

describe('ProviderServer tells a delete whether it belongs to a replacement', () => {
  const attributes = { id: stringAttribute({ computed: true, description: 'id' }) };
  const deletes: boolean[] = [];
  const server = new ProviderServer({
    typeName: 'rep',
    schema: { description: 'p', attributes: {} },
    configure: async () => ({ client: null }),
    resources: [
      {
        typeName: 'rep_thing',
        schema: { description: 'thing', attributes },
        create: async () => ({ state: { id: 'x' } }),
        read: async ({ state }) => ({ state }),
        update: async ({ prior }) => ({ state: prior }),
        delete: async ({ replacing }) => {
          deletes.push(replacing);
          return {};
        },
      } satisfies ResourceDefinition<typeof attributes, null>,
    ],
  });

  it('passes on what the plan said, and a plain delete by default', async () => {
    await server.configure({}, '1.11.4');
    await server.applyResourceChange('rep_thing', { id: 'x' }, null, null, { replacing: true });
    await server.applyResourceChange('rep_thing', { id: 'x' }, null, null);
    expect(deletes).toEqual([true, false]);
  });
});

describe('ProviderServer guards against provider bugs', () => {
  const attributes = {
    id: stringAttribute({ computed: true, description: 'id' }),
    size: numberAttribute({ required: true, description: 'size' }),
  };
  const base: ResourceDefinition<typeof attributes, null> = {
    typeName: 'bug_thing',
    schema: { description: 'buggy', attributes },
    create: async ({ plan }) => ({ state: { id: 'x', size: (plan.size as number) + 1 } }),
    read: async () => {
      throw new Error('remote exploded');
    },
    update: async () => ({ state: null }),
    delete: async () => ({}),
  };
  const server = new ProviderServer({
    typeName: 'bug',
    schema: { description: 'p', attributes: {} },
    configure: async () => ({ client: null }),
    resources: [base, { ...base, typeName: 'bug_unknown', create: async () => ({ state: { id: unknown, size: 1 } }) }],
  });

  beforeAll(async () => {
    await server.configure({}, '1.11.4');
  });

  it('reports a changed planned value after apply as a provider bug, and still stores the object', async () => {
    const config = { id: null, size: 1 };
    const result = await server.applyResourceChange('bug_thing', null, { id: unknown, size: 1 }, config);
    expect(result.state).toEqual({ id: 'x', size: 2 });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ summary: 'Provider produced inconsistent result after apply', path: [{ attribute: 'size' }], detail: expect.stringContaining('provider bug') }),
    ]);
  });

  it('reports unknown values left after apply, storing them as null', async () => {
    const result = await server.applyResourceChange('bug_unknown', null, { id: unknown, size: 1 }, { id: null, size: 1 });
    expect(result.state).toEqual({ id: null, size: 1 });
    expect(result.diagnostics[0]?.detail).toContain('unknown value for id');
  });

  it('turns an exception into a provider-bug diagnostic and keeps the state Terraform has', async () => {
    const current = { id: 'x', size: 1 };
    const result = await server.readResource('bug_thing', current);
    expect(result.state).toEqual(current);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', summary: 'Unexpected error in bug_thing read', detail: expect.stringContaining('remote exploded') }),
    ]);
    expect(result.diagnostics[0]?.detail).toContain('provider bug');
  });

  it('keeps the prior state when an update returns nothing, and says that is a bug', async () => {
    const prior = { id: 'x', size: 1 };
    const result = await server.applyResourceChange('bug_thing', prior, { id: 'x', size: 2 }, { id: null, size: 2 });
    expect(result.state).toEqual(prior);
    expect(result.diagnostics[0]?.summary).toBe('Provider returned no object');
  });

  it('reports a data source result with an unknown value', async () => {
    const echo = new ProviderServer({
      typeName: 'echo',
      schema: { description: 'p', attributes: {} },
      configure: async () => ({ client: null }),
      resources: [],
      dataSources: [
        {
          typeName: 'echo_thing',
          schema: { description: 'd', attributes: { name: stringAttribute({ required: true, description: 'n' }), size: numberAttribute({ computed: true, description: 's' }) } },
          read: async ({ config }) => ({ state: { name: config.name, size: unknown as never } }),
        },
      ],
    });
    await echo.configure({}, '1.11.4');
    const result = await echo.readDataSource('echo_thing', { name: 'asked', size: null });
    expect(result.state).toBeNull();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ summary: 'Provider returned an invalid object', path: [{ attribute: 'size' }], detail: expect.stringContaining('echo_thing read returned an unknown value for size') }),
    ]);
  });

  it('refuses to build a provider whose schema Terraform would reject', () => {
    expect(
      () =>
        new ProviderServer({
          typeName: 'bad',
          schema: { description: 'p', attributes: {} },
          configure: async () => ({}),
          resources: [{ ...base, typeName: 'other_thing' }],
        }),
    ).toThrow('other_thing: resource type names must start with "bad_"');
  });

  it('answers an unknown type with a diagnostic, not an exception', async () => {
    expect((await server.validateResourceConfig('bug_nope', {}))[0]?.summary).toBe('Unknown resource type');
  });
});
