import { chmodSync, writeFileSync } from 'node:fs';
import { ensureRootAdminKey } from './auth/apiKeys';
import type { SecretBox } from './secrets';
import type { Database } from './store/database';
import { insertSettingIfAbsent } from './store/settings';

const KEY_CHECK_SETTING = 'encryption-key-check';
const KEY_CHECK_PLAINTEXT = 'liftgate encryption key check';

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
    throw new Error(
      'the encryption key (LIFTGATE_ENCRYPTION_KEY or the key file) is not the one this store was created with; ' +
        'start with the original key',
    );
  }
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
