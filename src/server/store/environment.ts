import type { Queryable } from './database';
import { isoTimestamp } from './rows';

/** A stack's environment variable as stored: a plain value, or a sealed one for a secret. */
export interface StoredVariable {
  name: string;
  secret: boolean;
  /** The value of a plain variable; null for a secret one. */
  value: string | null;
  /** The sealed value of a secret variable; null for a plain one. */
  valueSealed: string | null;
  valueBytes: number;
  createdAt: string;
  updatedAt: string;
}

interface VariableRow {
  name: string;
  secret: boolean;
  value: string | null;
  value_sealed: string | null;
  value_bytes: number;
  created_at: Date;
  updated_at: Date;
}

function toVariable(row: VariableRow): StoredVariable {
  return {
    name: row.name,
    secret: row.secret,
    value: row.value,
    valueSealed: row.value_sealed,
    valueBytes: row.value_bytes,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

/** The stack's variables, by name (byte order, so the list reads the same on every engine and locale). */
export async function listEnvironmentVariables(db: Queryable, stackId: string): Promise<StoredVariable[]> {
  const rows = await db.query<VariableRow>('SELECT * FROM stack_environment_variables WHERE stack_id = $1 ORDER BY name COLLATE "C"', [stackId]);
  return rows.map(toVariable);
}

/**
 * Holds the stack while its variables change, so concurrent changes see each other (the size limits apply to the
 * whole set). False when the stack does not exist.
 */
export async function lockStackEnvironment(tx: Queryable, stackId: string): Promise<boolean> {
  return (await tx.query('SELECT id FROM stacks WHERE id = $1 FOR NO KEY UPDATE', [stackId])).length > 0;
}

/** Sets a variable (creating or replacing it); `created` tells which. */
export async function upsertEnvironmentVariable(
  tx: Queryable,
  stackId: string,
  variable: { name: string; secret: boolean; value: string | null; valueSealed: string | null; valueBytes: number },
): Promise<{ variable: StoredVariable; created: boolean }> {
  const [row] = await tx.query<VariableRow & { created: boolean }>(
    `INSERT INTO stack_environment_variables (stack_id, name, secret, value, value_sealed, value_bytes)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (stack_id, name) DO UPDATE
       SET secret = EXCLUDED.secret, value = EXCLUDED.value, value_sealed = EXCLUDED.value_sealed,
           value_bytes = EXCLUDED.value_bytes, updated_at = now()
     RETURNING *, (xmax = 0) AS created`,
    [stackId, variable.name, variable.secret, variable.value, variable.valueSealed, variable.valueBytes],
  );
  const stored = row as VariableRow & { created: boolean };
  return { variable: toVariable(stored), created: stored.created };
}

export async function deleteEnvironmentVariable(db: Queryable, stackId: string, name: string): Promise<boolean> {
  return (await db.query('DELETE FROM stack_environment_variables WHERE stack_id = $1 AND name = $2 RETURNING name', [stackId, name])).length > 0;
}
