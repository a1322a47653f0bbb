import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEncryptionKey, writeRootAdminKeyIfFresh } from '../../src/server/bootstrap';
import { hashSecret, SecretBox } from '../../src/server/secrets';
import { openDatabase, type Database } from '../../src/server/store/database';

describe('first start of a store', () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    dir = mkdtempSync(join(tmpdir(), 'liftgate-bootstrap-'));
  }, 60_000);
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates no key when the key file cannot be written, so no root admin exists that nobody holds', async () => {
    await expect(writeRootAdminKeyIfFresh(db, join(dir, 'missing-dir', 'admin.key'))).rejects.toThrow(/ENOENT/);
    expect(await db.query('SELECT id FROM api_keys')).toEqual([]);
  });

  it('writes the root-admin key once, readable only by its owner, and stores only its hash', async () => {
    const keyFile = join(dir, 'admin.key');
    expect(await writeRootAdminKeyIfFresh(db, keyFile)).toBe(keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(keyFile, 'utf8').trim();
    const keys = await db.query<{ secret_hash: string }>('SELECT secret_hash FROM api_keys');
    expect(keys).toEqual([{ secret_hash: hashSecret(secret) }]);
    const bindings = await db.query('SELECT space_id, role FROM role_bindings');
    expect(bindings).toEqual([{ space_id: 'root', role: 'admin' }]);
    expect(await writeRootAdminKeyIfFresh(db, keyFile)).toBeNull();
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(secret);
  });

  it('accepts the key the store was created with and refuses another', async () => {
    await checkEncryptionKey(db, new SecretBox(Buffer.alloc(32, 5)));
    await checkEncryptionKey(db, new SecretBox(Buffer.alloc(32, 5)));
    await expect(checkEncryptionKey(db, new SecretBox(Buffer.alloc(32, 6)))).rejects.toThrow(/not the one this store was created with/);
  });
});
