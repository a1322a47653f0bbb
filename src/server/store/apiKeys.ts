import type { ApiKey, Role, RoleBinding } from '../../domain/model';
import { SpaceTree } from '../../domain/spaces';
import type { Queryable } from './database';
import { isoTimestamp } from './rows';

interface ApiKeyRow {
  id: string;
  name: string;
  created_at: Date;
}

async function withRoles(db: Queryable, rows: ApiKeyRow[]): Promise<ApiKey[]> {
  if (rows.length === 0) return [];
  const bindings = await db.query<{ api_key_id: string; space_id: string; role: Role }>(
    'SELECT api_key_id, space_id, role FROM role_bindings WHERE api_key_id = ANY($1::text[]) ORDER BY space_id',
    [rows.map((row) => row.id)],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    roles: bindings.filter((b) => b.api_key_id === row.id).map((b) => ({ spaceId: b.space_id, role: b.role })),
    createdAt: isoTimestamp(row.created_at),
  }));
}

/**
 * Serializes changes to the set of root-admin keys (first-start creation, deletion of the last one) across
 * requests and replicas, until the transaction ends.
 */
export async function lockApiKeyChanges(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7100002)');
}

/**
 * What authenticating a request needs: the key whose secret hashes to `secretHash` with its role bindings, and the
 * space tree its access is decided on; null when no key has that hash. One statement, because every authenticated
 * request that is not answered from memory pays for it, and one snapshot: the bindings and the tree are read at the
 * same instant. The key comes back as one JSON value, the spaces as the JSON text of [id, parent, inherit] triples
 * in id order (PGlite's cost grows with every column and every object key it hands over, and the tree can be
 * large): the same spaces read the same, so callers kept for many keys can share one tree (spaceTreeOf).
 */
export async function findApiKeyWithSpaces(db: Queryable, secretHash: string): Promise<{ apiKey: ApiKey; spaces: string } | null> {
  const [row] = await db.query<{ caller: { id: string; name: string; createdAt: string; roles: RoleBinding[] }; spaces: string }>(
    `SELECT json_build_object(
       'id', k.id, 'name', k.name, 'createdAt', k.created_at,
       'roles', (SELECT coalesce(json_agg(json_build_object('spaceId', b.space_id, 'role', b.role) ORDER BY b.space_id), '[]'::json)
                   FROM role_bindings b WHERE b.api_key_id = k.id)
     ) AS caller,
     (SELECT coalesce(json_agg(json_build_array(s.id, s.parent_space_id, s.inherit_entities) ORDER BY s.id), '[]'::json) FROM spaces s)::text AS spaces
     FROM api_keys k WHERE k.secret_hash = $1`,
    [secretHash],
  );
  if (row === undefined) return null;
  const { id, name, createdAt, roles } = row.caller;
  return { apiKey: { id, name, roles, createdAt: isoTimestamp(createdAt) }, spaces: row.spaces };
}

/** The space tree of findApiKeyWithSpaces' `spaces` text. */
export function spaceTreeOf(spaces: string): SpaceTree {
  const triples = JSON.parse(spaces) as [string, string | null, boolean][];
  return new SpaceTree(triples.map(([id, parentSpaceId, inheritEntities]) => ({ id, parentSpaceId, inheritEntities })));
}

export async function findApiKey(db: Queryable, id: string): Promise<ApiKey | null> {
  const rows = await db.query<ApiKeyRow>('SELECT id, name, created_at FROM api_keys WHERE id = $1', [id]);
  return (await withRoles(db, rows))[0] ?? null;
}

export async function listApiKeys(db: Queryable): Promise<ApiKey[]> {
  return withRoles(db, await db.query<ApiKeyRow>('SELECT id, name, created_at FROM api_keys ORDER BY created_at, id'));
}

export async function countApiKeys(db: Queryable): Promise<number> {
  const [row] = await db.query<{ count: string | number }>('SELECT count(*) AS count FROM api_keys');
  return Number(row?.count ?? 0);
}

/** Keys other than `exceptId` that hold admin on root. */
export async function countOtherRootAdmins(db: Queryable, exceptId: string): Promise<number> {
  const [row] = await db.query<{ count: string | number }>(
    `SELECT count(*) AS count FROM role_bindings WHERE space_id = 'root' AND role = 'admin' AND api_key_id <> $1`,
    [exceptId],
  );
  return Number(row?.count ?? 0);
}

export async function insertApiKey(
  db: Queryable,
  key: { id: string; name: string; secretHash: string; roles: RoleBinding[] },
): Promise<ApiKey> {
  await db.query('INSERT INTO api_keys (id, name, secret_hash) VALUES ($1, $2, $3)', [key.id, key.name, key.secretHash]);
  for (const binding of key.roles) {
    await db.query('INSERT INTO role_bindings (api_key_id, space_id, role) VALUES ($1, $2, $3)', [
      key.id,
      binding.spaceId,
      binding.role,
    ]);
  }
  return (await findApiKey(db, key.id)) as ApiKey;
}

export async function deleteApiKey(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM api_keys WHERE id = $1 RETURNING id', [id])).length > 0;
}
