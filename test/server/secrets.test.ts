import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncryptionKey, parseEncryptionKey, SecretBox } from '../../src/server/secrets';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('round-trips a value and never shows the plaintext in the ciphertext', () => {
    const sealed = box.encrypt('my-token', 'integration-a');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('my-token');
    expect(Buffer.from(sealed.slice(3), 'base64').includes(Buffer.from('my-token'))).toBe(false);
    expect(box.decrypt(sealed, 'integration-a')).toBe('my-token');
    expect(box.encrypt('my-token', 'integration-a')).not.toBe(sealed);
  });

  it('refuses a ciphertext moved to another object, tampered with, or read with another key', () => {
    const sealed = box.encrypt('my-token', 'integration-a');
    expect(() => box.decrypt(sealed, 'integration-b')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(() => box.decrypt(`v1:${raw.toString('base64')}`, 'integration-a')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).decrypt(sealed, 'integration-a')).toThrow();
    expect(() => box.decrypt('plaintext', 'integration-a')).toThrow(/not a value encrypted/);
  });

  it('seals bytes kept byte for byte (a Terraform state), bound to their context', () => {
    const bytes = Buffer.concat([Buffer.from('{"serial":1}'), Buffer.from([0, 255, 128])]);
    const sealed = box.encryptBytes(bytes, 'state-a');
    expect(sealed.subarray(0, 3).toString()).toBe('v1:');
    expect(sealed.includes(Buffer.from('serial'))).toBe(false);
    expect(box.decryptBytes(new Uint8Array(sealed), 'state-a')).toEqual(bytes);
    expect(() => box.decryptBytes(sealed, 'state-b')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(() => box.decryptBytes(tampered, 'state-a')).toThrow();
    expect(() => box.decryptBytes(bytes, 'state-a')).toThrow(/not a value encrypted/);
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('encryption key loading', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'liftgate-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads LIFTGATE_ENCRYPTION_KEY as hex or base64 and names it when it is wrong', () => {
    const hex = 'ab'.repeat(32);
    expect(loadEncryptionKey({ fromEnvironment: hex, keyFile: join(dir, 'k') }).key).toEqual(Buffer.from(hex, 'hex'));
    const base64 = Buffer.alloc(32, 9).toString('base64');
    expect(loadEncryptionKey({ fromEnvironment: base64, keyFile: join(dir, 'k') })).toEqual({ key: Buffer.alloc(32, 9), source: 'environment' });
    expect(() => parseEncryptionKey('too-short', 'LIFTGATE_ENCRYPTION_KEY')).toThrow(/LIFTGATE_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('generates a key file readable only by its owner on first use and reads it afterwards', () => {
    const keyFile = join(dir, 'encryption.key');
    const created = loadEncryptionKey({ keyFile });
    expect(created.source).toBe('created-file');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(created.key.toString('hex'));
    expect(loadEncryptionKey({ keyFile })).toEqual({ key: created.key, source: 'file' });
    expect(loadEncryptionKey({ fromEnvironment: '', keyFile }).source).toBe('file');
    writeFileSync(keyFile, 'garbage');
    expect(() => loadEncryptionKey({ keyFile })).toThrow(keyFile);
  });
});
