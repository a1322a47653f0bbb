import type { Stack } from '../../domain/model';
import type { Queryable } from './database';
import { isoTimestamp, labelSet } from './rows';
import { integrationServesSql } from './serving';

export interface StackRow {
  id: string;
  name: string;
  space_id: string;
  integration_id: string | null;
  detached: boolean;
  project_key: string;
  repository_slug: string;
  branch: string;
  project_root: string;
  autodeploy: boolean;
  labels: string[];
  manage_state: boolean;
  created_at: Date;
  updated_at: Date;
}

export function toStack(row: StackRow): Stack {
  return {
    id: row.id,
    name: row.name,
    spaceId: row.space_id,
    vcs: {
      integrationId: row.integration_id,
      projectKey: row.project_key,
      repositorySlug: row.repository_slug,
      branch: row.branch,
      projectRoot: row.project_root,
    },
    autodeploy: row.autodeploy,
    labels: labelSet(row.labels),
    detached: row.detached,
    manageState: row.manage_state,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

/** The stored, writable fields of a stack. */
export type StackFields = Pick<Stack, 'name' | 'spaceId' | 'vcs' | 'autodeploy' | 'labels' | 'detached' | 'manageState'>;

export async function findStack(db: Queryable, id: string): Promise<Stack | null> {
  const [row] = await db.query<StackRow>('SELECT * FROM stacks WHERE id = $1', [id]);
  return row === undefined ? null : toStack(row);
}

export async function listStacks(db: Queryable): Promise<Stack[]> {
  return (await db.query<StackRow>('SELECT * FROM stacks ORDER BY created_at, id')).map(toStack);
}

/**
 * The attached stacks an integration serves: those naming it, and, when it is the default integration, those
 * naming none. Detached stacks are never returned (they receive no webhooks).
 */
export async function listStacksUsingIntegration(
  db: Queryable,
  integration: { id: string; isDefault: boolean },
): Promise<Stack[]> {
  const rows = await db.query<StackRow>(
    `SELECT * FROM stacks s WHERE ${integrationServesSql('s', { id: '$1', isDefault: '$2' })} ORDER BY id`,
    [integration.id, integration.isDefault],
  );
  return rows.map(toStack);
}

/** $1..$12 of insertStack and updateStack: the id, then the columns in the order both statements name them. */
function stackParameters(id: string, fields: StackFields): unknown[] {
  return [
    id,
    fields.name,
    fields.spaceId,
    fields.vcs.integrationId,
    fields.detached,
    fields.vcs.projectKey,
    fields.vcs.repositorySlug,
    fields.vcs.branch,
    fields.vcs.projectRoot,
    fields.autodeploy,
    labelSet(fields.labels),
    fields.manageState,
  ];
}

export async function insertStack(db: Queryable, id: string, fields: StackFields): Promise<Stack> {
  const [row] = await db.query<StackRow>(
    `INSERT INTO stacks (id, name, space_id, integration_id, detached, project_key, repository_slug, branch,
                         project_root, autodeploy, labels, manage_state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text[], $12) RETURNING *`,
    stackParameters(id, fields),
  );
  return toStack(row as StackRow);
}

export async function updateStack(db: Queryable, id: string, fields: StackFields): Promise<Stack | null> {
  const [row] = await db.query<StackRow>(
    `UPDATE stacks SET name = $2, space_id = $3, integration_id = $4, detached = $5, project_key = $6,
            repository_slug = $7, branch = $8, project_root = $9, autodeploy = $10, labels = $11::text[],
            manage_state = $12, updated_at = now()
     WHERE id = $1 RETURNING *`,
    stackParameters(id, fields),
  );
  return row === undefined ? null : toStack(row);
}

/**
 * Detaches every stack the integration serves (clears the reference, sets detached) and returns them, ordered by id.
 * Run in the same transaction as the integration's deletion: deleting an integration detaches its stacks (SPEC §1).
 */
export async function detachStacksOfIntegration(
  db: Queryable,
  integration: { id: string; isDefault: boolean },
): Promise<{ id: string; name: string }[]> {
  return db.query<{ id: string; name: string }>(
    `WITH detached AS (
       UPDATE stacks s SET integration_id = NULL, detached = true, updated_at = now()
       WHERE ${integrationServesSql('s', { id: '$1', isDefault: '$2' })}
       RETURNING id, name
     )
     SELECT id, name FROM detached ORDER BY id`,
    [integration.id, integration.isDefault],
  );
}

export async function deleteStack(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM stacks WHERE id = $1 RETURNING id', [id])).length > 0;
}
