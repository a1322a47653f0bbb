import type { Queryable } from './database';

/** Serialises one-off changes of store-wide state (the sealing of secrets) between replicas, until the transaction ends. */
export async function lockSettingChanges(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7100003)');
}

export async function readSetting(db: Queryable, name: string): Promise<string | null> {
  const [row] = await db.query<{ value: string }>('SELECT value FROM settings WHERE name = $1', [name]);
  return row?.value ?? null;
}

/** Stores `value` unless the setting exists; returns the value now stored (the existing one if it was there). */
export async function insertSettingIfAbsent(db: Queryable, name: string, value: string): Promise<string> {
  await db.query('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
  return (await readSetting(db, name)) as string;
}

/** Stores `value` for the setting, replacing what was there. */
export async function writeSetting(db: Queryable, name: string, value: string): Promise<void> {
  await db.query('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value', [name, value]);
}
