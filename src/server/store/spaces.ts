import type { Space } from '../../domain/model';
import { SpaceTree } from '../../domain/spaces';
import type { Queryable } from './database';
import { isoTimestamp, labelSet } from './rows';

interface SpaceRow {
  id: string;
  name: string;
  parent_space_id: string | null;
  inherit_entities: boolean;
  description: string;
  labels: string[];
  created_at: Date;
  updated_at: Date;
}

function toSpace(row: SpaceRow): Space {
  return {
    id: row.id,
    name: row.name,
    parentSpaceId: row.parent_space_id,
    inheritEntities: row.inherit_entities,
    description: row.description,
    labels: labelSet(row.labels),
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

export async function listSpaces(db: Queryable): Promise<Space[]> {
  return (await db.query<SpaceRow>('SELECT * FROM spaces ORDER BY created_at, id')).map(toSpace);
}

export async function findSpace(db: Queryable, id: string): Promise<Space | null> {
  const [row] = await db.query<SpaceRow>('SELECT * FROM spaces WHERE id = $1', [id]);
  return row === undefined ? null : toSpace(row);
}

/** The whole tree (ids, parents, inheritance), which every access decision is made on. */
export async function loadSpaceTree(db: Queryable): Promise<SpaceTree> {
  const rows = await db.query<{ id: string; parent_space_id: string | null; inherit_entities: boolean }>(
    'SELECT id, parent_space_id, inherit_entities FROM spaces',
  );
  return new SpaceTree(rows.map((row) => ({ id: row.id, parentSpaceId: row.parent_space_id, inheritEntities: row.inherit_entities })));
}

/**
 * Locks a space and its ancestors FOR SHARE until the transaction ends, so the inheritance a decision was made on
 * cannot change before the decision is written (a stack attached to an integration it reaches by inheritance,
 * while the inheritance is being turned off). Call before loading the tree the decision uses.
 */
export async function lockSpacePathForUse(tx: Queryable, spaceId: string): Promise<void> {
  await tx.query(
    `SELECT id FROM spaces WHERE id IN (
       WITH RECURSIVE path AS (
         SELECT id, parent_space_id, 1 AS depth FROM spaces WHERE id = $1
         UNION ALL
         SELECT s.id, s.parent_space_id, path.depth + 1 FROM spaces s JOIN path ON s.id = path.parent_space_id WHERE path.depth < 1000
       )
       SELECT id FROM path
     )
     ORDER BY id
     FOR SHARE`,
    [spaceId],
  );
}

/** The space `id`, locked FOR UPDATE until the transaction ends (see lockSpacePathForUse); null when it does not exist. */
export async function lockSpaceForChange(tx: Queryable, id: string): Promise<Space | null> {
  const [row] = await tx.query<SpaceRow>('SELECT * FROM spaces WHERE id = $1 FOR UPDATE', [id]);
  return row === undefined ? null : toSpace(row);
}

export async function insertSpace(
  db: Queryable,
  space: { id: string; name: string; parentSpaceId: string; inheritEntities: boolean; description: string; labels: string[] },
): Promise<Space> {
  const [row] = await db.query<SpaceRow>(
    `INSERT INTO spaces (id, name, parent_space_id, inherit_entities, description, labels)
     VALUES ($1, $2, $3, $4, $5, $6::text[]) RETURNING *`,
    [space.id, space.name, space.parentSpaceId, space.inheritEntities, space.description, labelSet(space.labels)],
  );
  return toSpace(row as SpaceRow);
}

export async function updateSpace(
  db: Queryable,
  id: string,
  changes: { name: string; inheritEntities: boolean; description: string; labels: string[] },
): Promise<Space | null> {
  const [row] = await db.query<SpaceRow>(
    `UPDATE spaces SET name = $2, inherit_entities = $3, description = $4, labels = $5::text[], updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, changes.name, changes.inheritEntities, changes.description, labelSet(changes.labels)],
  );
  return row === undefined ? null : toSpace(row);
}

/** What keeps a space from being deleted: its child spaces, stacks and integrations (ids). */
export async function spaceContents(
  db: Queryable,
  id: string,
): Promise<{ spaces: string[]; stacks: string[]; integrations: string[] }> {
  const ids = async (sql: string) => (await db.query<{ id: string }>(sql, [id])).map((row) => row.id);
  return {
    spaces: await ids('SELECT id FROM spaces WHERE parent_space_id = $1 ORDER BY id'),
    stacks: await ids('SELECT id FROM stacks WHERE space_id = $1 ORDER BY id'),
    integrations: await ids('SELECT id FROM integrations WHERE space_id = $1 ORDER BY id'),
  };
}

export async function deleteSpace(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM spaces WHERE id = $1 RETURNING id', [id])).length > 0;
}
