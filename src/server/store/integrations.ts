import type { Integration } from '../../domain/model';
import type { Queryable } from './database';
import { isoTimestamp, labelSet } from './rows';

interface IntegrationRow {
  id: string;
  name: string;
  is_default: boolean;
  space_id: string;
  api_host: string;
  user_facing_host: string | null;
  username: string;
  access_token_encrypted: string;
  webhook_secret_encrypted: string;
  labels: string[];
  description: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * An integration as stored, with its access token and webhook secret still sealed (open them with SecretBox and
 * accessTokenContext / webhookSecretContext).
 */
export interface StoredIntegration extends Integration {
  accessTokenEncrypted: string;
  webhookSecretEncrypted: string;
}

function toIntegration(row: IntegrationRow): StoredIntegration {
  return {
    id: row.id,
    name: row.name,
    isDefault: row.is_default,
    spaceId: row.space_id,
    apiHost: row.api_host,
    userFacingHost: row.user_facing_host,
    username: row.username,
    accessTokenEncrypted: row.access_token_encrypted,
    webhookSecretEncrypted: row.webhook_secret_encrypted,
    labels: labelSet(row.labels),
    description: row.description,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}

export async function findIntegration(db: Queryable, id: string): Promise<StoredIntegration | null> {
  const [row] = await db.query<IntegrationRow>('SELECT * FROM integrations WHERE id = $1', [id]);
  return row === undefined ? null : toIntegration(row);
}

/** The default Bitbucket DC integration, if one exists. */
export async function findDefaultIntegration(db: Queryable): Promise<StoredIntegration | null> {
  const [row] = await db.query<IntegrationRow>(
    `SELECT * FROM integrations WHERE is_default AND provider = 'bitbucket-datacenter'`,
  );
  return row === undefined ? null : toIntegration(row);
}

/**
 * Where the integration a stack names lives (`null`: the default integration), with its row locked FOR SHARE
 * until the transaction ends so it cannot be deleted before the stack that uses it is written. Null when
 * there is no such integration.
 */
export async function lockIntegrationForUse(
  tx: Queryable,
  integrationId: string | null,
): Promise<{ id: string; isDefault: boolean; spaceId: string } | null> {
  const [row] = await tx.query<{ id: string; space_id: string; is_default: boolean }>(
    integrationId === null
      ? `SELECT id, space_id, is_default FROM integrations WHERE is_default AND provider = 'bitbucket-datacenter' FOR SHARE`
      : 'SELECT id, space_id, is_default FROM integrations WHERE id = $1 FOR SHARE',
    integrationId === null ? [] : [integrationId],
  );
  return row === undefined ? null : { id: row.id, isDefault: row.is_default, spaceId: row.space_id };
}

/**
 * The integration `id` locked FOR UPDATE until the transaction ends: a change that checks the stacks using it (a
 * move to another space) must not race a stack being attached to it, which holds the row FOR SHARE.
 */
export async function lockIntegrationForChange(tx: Queryable, id: string): Promise<StoredIntegration | null> {
  const [row] = await tx.query<IntegrationRow>('SELECT * FROM integrations WHERE id = $1 FOR UPDATE', [id]);
  return row === undefined ? null : toIntegration(row);
}

export async function listIntegrations(db: Queryable): Promise<StoredIntegration[]> {
  return (await db.query<IntegrationRow>('SELECT * FROM integrations ORDER BY is_default DESC, name, id')).map(toIntegration);
}

export async function insertIntegration(db: Queryable, integration: Omit<StoredIntegration, 'createdAt' | 'updatedAt'>): Promise<StoredIntegration> {
  const [row] = await db.query<IntegrationRow>(
    `INSERT INTO integrations (id, name, is_default, space_id, api_host, user_facing_host, username,
                               access_token_encrypted, webhook_secret_encrypted, labels, description)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11) RETURNING *`,
    [
      integration.id,
      integration.name,
      integration.isDefault,
      integration.spaceId,
      integration.apiHost,
      integration.userFacingHost,
      integration.username,
      integration.accessTokenEncrypted,
      integration.webhookSecretEncrypted,
      labelSet(integration.labels),
      integration.description,
    ],
  );
  return toIntegration(row as IntegrationRow);
}

/** Replaces the mutable fields (name, isDefault and the webhook secret never change). */
export async function updateIntegration(
  db: Queryable,
  id: string,
  changes: Pick<StoredIntegration, 'spaceId' | 'apiHost' | 'userFacingHost' | 'username' | 'accessTokenEncrypted' | 'labels' | 'description'>,
): Promise<StoredIntegration | null> {
  const [row] = await db.query<IntegrationRow>(
    `UPDATE integrations SET space_id = $2, api_host = $3, user_facing_host = $4, username = $5,
            access_token_encrypted = $6, labels = $7::text[], description = $8, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      changes.spaceId,
      changes.apiHost,
      changes.userFacingHost,
      changes.username,
      changes.accessTokenEncrypted,
      labelSet(changes.labels),
      changes.description,
    ],
  );
  return row === undefined ? null : toIntegration(row);
}

export async function deleteIntegration(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM integrations WHERE id = $1 RETURNING id', [id])).length > 0;
}

/** Every integration's sealed access token and webhook secret, locked, for re-sealing them (see bootstrap.ts). */
export async function lockSealedSecrets(
  tx: Queryable,
): Promise<Pick<StoredIntegration, 'id' | 'username' | 'apiHost' | 'accessTokenEncrypted' | 'webhookSecretEncrypted'>[]> {
  const rows = await tx.query<IntegrationRow>(
    'SELECT id, username, api_host, access_token_encrypted, webhook_secret_encrypted FROM integrations ORDER BY id FOR UPDATE',
  );
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    apiHost: row.api_host,
    accessTokenEncrypted: row.access_token_encrypted,
    webhookSecretEncrypted: row.webhook_secret_encrypted,
  }));
}

/** Replaces an integration's sealed values (same plaintext, sealed anew); its updated_at is left alone. */
export async function replaceSealedSecrets(
  tx: Queryable,
  id: string,
  sealed: Pick<StoredIntegration, 'accessTokenEncrypted' | 'webhookSecretEncrypted'>,
): Promise<void> {
  await tx.query('UPDATE integrations SET access_token_encrypted = $2, webhook_secret_encrypted = $3 WHERE id = $1', [
    id,
    sealed.accessTokenEncrypted,
    sealed.webhookSecretEncrypted,
  ]);
}
