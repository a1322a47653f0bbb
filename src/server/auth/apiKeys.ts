import { randomBytes } from 'node:crypto';
import type { RoleBinding } from '../../domain/model';
import { hashSecret } from '../secrets';
import { countApiKeys, insertApiKey, lockApiKeyChanges } from '../store/apiKeys';
import type { Database, Queryable } from '../store/database';
import type { ApiKey } from '../../domain/model';

/** A new key's id and secret. The secret carries 256 random bits and a prefix that makes leaked keys greppable. */
function generateApiKeyCredentials(): { id: string; secret: string; secretHash: string } {
  const id = `key-${randomBytes(6).toString('hex')}`;
  const secret = `lgk_${randomBytes(32).toString('base64url')}`;
  return { id, secret, secretHash: hashSecret(secret) };
}

/** Creates an API key; the secret is returned here once and only its hash is stored. */
export async function createApiKey(
  db: Queryable,
  name: string,
  roles: RoleBinding[],
): Promise<{ apiKey: ApiKey; secret: string }> {
  const credentials = generateApiKeyCredentials();
  const apiKey = await insertApiKey(db, { id: credentials.id, name, secretHash: credentials.secretHash, roles });
  return { apiKey, secret: credentials.secret };
}

/**
 * On a store without any API key, creates the root-admin key and returns it with its secret; otherwise null.
 * Checked and created in one transaction under a lock so replicas starting together create exactly one.
 * `handOver` runs before the commit: when it throws (say the key file cannot be written), no key is created,
 * so a store never ends up with a root-admin key nobody has.
 */
export async function ensureRootAdminKey(
  db: Database,
  handOver: (secret: string) => void = () => undefined,
): Promise<{ apiKey: ApiKey; secret: string } | null> {
  return db.transaction(async (tx) => {
    await lockApiKeyChanges(tx);
    if ((await countApiKeys(tx)) > 0) return null;
    const created = await createApiKey(tx, 'root admin', [{ spaceId: 'root', role: 'admin' }]);
    handOver(created.secret);
    return created;
  });
}
