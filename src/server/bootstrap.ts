import { chmodSync, writeFileSync } from 'node:fs';
import { ensureRootAdminKey } from './auth/apiKeys';
import { accessTokenContext, webhookSecretContext, type SecretBox } from './secrets';
import type { Database } from './store/database';
import { lockSealedSecrets, replaceSealedSecrets } from './store/integrations';
import { insertSettingIfAbsent, lockSettingChanges, readSetting, writeSetting } from './store/settings';

const KEY_CHECK_SETTING = 'encryption-key-check';
const KEY_CHECK_PLAINTEXT = 'liftgate encryption key check';

/** The key a control plane started with is not the one its store was created with. */
export class EncryptionKeyMismatchError extends Error {
  override readonly name = 'EncryptionKeyMismatchError';
}

/**
 * Makes sure the store's secrets can be read with this key: the first start records a value encrypted with it;
 * later starts must decrypt that value. Starting with another key would otherwise only show up later, as
 * integrations whose tokens cannot be decrypted.
 */
export async function checkEncryptionKey(db: Database, secrets: SecretBox): Promise<void> {
  const stored = await insertSettingIfAbsent(db, KEY_CHECK_SETTING, secrets.encrypt(KEY_CHECK_PLAINTEXT, KEY_CHECK_SETTING));
  let matches = false;
  try {
    matches = secrets.decrypt(stored, KEY_CHECK_SETTING) === KEY_CHECK_PLAINTEXT;
  } catch {
    matches = false;
  }
  if (!matches) {
    throw new EncryptionKeyMismatchError(
      'the encryption key (LIFTGATE_ENCRYPTION_KEY or the key file) is not the one this store was created with; ' +
        'start with the original key',
    );
  }
}

const SEALED_SETTING = 'secrets-sealed';

/**
 * Brings secrets at rest to the current form, once per store (replicas starting together do it once, under a
 * lock): webhook secrets written in plaintext before migration 003 are sealed, and access tokens sealed with only
 * the integration id as context are sealed again to the host and username they were given for, so a later change of
 * either cannot make the control plane send them elsewhere. Every value is kept; only its form changes. Runs before
 * the control plane serves anything; a fresh store just records that there is nothing to do.
 */
export async function sealSecretsAtRest(db: Database, secrets: SecretBox): Promise<void> {
  await db.transaction(async (tx) => {
    await lockSettingChanges(tx);
    if ((await readSetting(tx, SEALED_SETTING)) !== null) return;
    for (const integration of await lockSealedSecrets(tx)) {
      let accessToken: string;
      try {
        accessToken = secrets.decrypt(integration.accessTokenEncrypted, integration.id);
      } catch {
        throw new Error(`the access token of integration "${integration.id}" cannot be read with this encryption key; start with the original key`);
      }
      await replaceSealedSecrets(tx, integration.id, {
        accessTokenEncrypted: secrets.encrypt(accessToken, accessTokenContext(integration)),
        webhookSecretEncrypted: secrets.encrypt(integration.webhookSecretEncrypted, webhookSecretContext(integration.id)),
      });
    }
    await writeSetting(tx, SEALED_SETTING, new Date().toISOString());
  });
}

/**
 * On a fresh store, creates the root-admin API key and writes its secret to `keyFile`, readable only by its owner.
 * Returns the file's path when it wrote one, null when the store already had keys.
 */
export async function writeRootAdminKeyIfFresh(db: Database, keyFile: string): Promise<string | null> {
  const created = await ensureRootAdminKey(db, (secret) => {
    writeFileSync(keyFile, `${secret}\n`, { mode: 0o600 });
    // writeFileSync's mode only applies when it creates the file; a leftover file keeps its old mode otherwise.
    chmodSync(keyFile, 0o600);
  });
  return created === null ? null : keyFile;
}
