import { integrationServes, type IntegrationBinding, type ServingIntegration } from '../../../src/domain/integrations';
import { openDatabase, type Database } from '../../../src/server/store/database';
import { integrationServesSql } from '../../../src/server/store/serving';

/** Every combination that matters: detached or not, naming no integration, the one asked about, or another. */
const bindings: IntegrationBinding[] = [false, true].flatMap((detached) =>
  [null, 'ops', 'other'].map((integrationId) => ({ integrationId, detached })),
);
const integrations: ServingIntegration[] = [
  { id: 'ops', isDefault: false },
  { id: 'ops', isDefault: true },
  { id: 'company', isDefault: true },
];

describe('the SQL form of "which stacks an integration serves"', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
  });
  afterAll(() => db.close());

  it.each(integrations)('picks the stacks the domain rule says integration %j serves', async (integration) => {
    const rows = await db.query<{ position: number }>(
      `SELECT s.position::int AS position
       FROM jsonb_to_recordset($1::jsonb) AS s(position int, detached boolean, integration_id text)
       WHERE ${integrationServesSql('s', { id: '$2', isDefault: '$3' })}
       ORDER BY s.position`,
      [JSON.stringify(bindings.map((binding, position) => ({ position, detached: binding.detached, integration_id: binding.integrationId }))), integration.id, integration.isDefault],
    );
    const expected = bindings.flatMap((binding, position) => (integrationServes(integration, binding) ? [position] : []));
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.position)).toEqual(expected);
  });
});
