import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Ciphertexts are versioned so the format (or key) can change later without guessing what a value is. */
const FORMAT = 'v1';
const BYTES_FORMAT = Buffer.from(`${FORMAT}:`, 'ascii');

/**
 * Encrypts secrets at rest with AES-256-GCM. `context` (the owning object's id) is authenticated data, so a
 * ciphertext copied onto another row does not decrypt.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`the encryption key must be 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /**
   * A MAC of `data` (HMAC-SHA256, base64url) under a key derived from this one for `context`, for links that carry
   * their own authority; the encryption key itself is never used for two purposes.
   */
  sign(data: string, context: string): string {
    const key = createHmac('sha256', this.#key).update(`liftgate-mac:${context}`).digest();
    return createHmac('sha256', key).update(data).digest('base64url');
  }

  /** Whether `signature` is sign(data, context), compared in constant time. */
  verify(data: string, context: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(data, context));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Throws when the value was not encrypted with this key and context (tampered, or the wrong key). */
  decrypt(ciphertext: string, context: string): string {
    const [format, encoded] = ciphertext.split(':', 2);
    if (format !== FORMAT || encoded === undefined) throw new Error('not a value encrypted by this store');
    return this.#open(Buffer.from(encoded, 'base64'), context).toString('utf8');
  }

  /**
   * Encrypts bytes kept as they are (a Terraform state, returned byte for byte) into `v1:` followed by IV, tag and
   * ciphertext, for a bytea column: no base64 on the way in or out.
   */
  encryptBytes(plaintext: Uint8Array, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([BYTES_FORMAT, iv, cipher.getAuthTag(), body]);
  }

  /** The bytes encryptBytes sealed; throws when they were not sealed with this key and context. */
  decryptBytes(sealed: Uint8Array, context: string): Buffer {
    const raw = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (!raw.subarray(0, BYTES_FORMAT.length).equals(BYTES_FORMAT)) throw new Error('not a value encrypted by this store');
    return this.#open(raw.subarray(BYTES_FORMAT.length), context);
  }

  #open(raw: Buffer, context: string): Buffer {
    const decipher = createDecipheriv(ALGORITHM, this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}

/**
 * The authenticated data an integration's access token is sealed with: the integration, and the account and host the
 * token was given for. The ciphertext opens only for that host and username, so no change of apiHost or username can
 * make the control plane send the stored token anywhere else.
 */
export function accessTokenContext(integration: { id: string; username: string; apiHost: string }): string {
  // JSON, so no username or host can be chosen to make another pair's context.
  return JSON.stringify(['access-token', integration.id, integration.username, integration.apiHost]);
}

/** The authenticated data a version of a stack's Terraform state is sealed with: the stack and the version. */
export function stateVersionContext(stackId: string, versionId: string): string {
  return JSON.stringify(['terraform-state', stackId, versionId]);
}

/** The authenticated data a secret environment variable is sealed with: the stack and the variable's name. */
export function environmentVariableContext(stackId: string, name: string): string {
  return JSON.stringify(['stack-environment', stackId, name]);
}

/** The authenticated data an integration's webhook secret is sealed with. */
export function webhookSecretContext(integrationId: string): string {
  return JSON.stringify(['webhook-secret', integrationId]);
}

/**
 * Reads a 32-byte key written as 64 hex characters or as base64 (what `openssl rand -hex 32` or
 * `openssl rand -base64 32` print).
 */
export function parseEncryptionKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(`${source} must be 32 bytes as 64 hex characters or base64 (e.g. \`openssl rand -hex 32\`)`);
  }
  return key;
}

/**
 * The store's encryption key: `LIFTGATE_ENCRYPTION_KEY` when set, otherwise the key file (created with 32 random
 * bytes, mode 0600, on first use).
 */
export function loadEncryptionKey(options: { fromEnvironment?: string; keyFile: string }): {
  key: Buffer;
  source: 'environment' | 'created-file' | 'file';
} {
  if (options.fromEnvironment !== undefined && options.fromEnvironment !== '') {
    return { key: parseEncryptionKey(options.fromEnvironment, 'LIFTGATE_ENCRYPTION_KEY'), source: 'environment' };
  }
  if (existsSync(options.keyFile)) {
    return { key: parseEncryptionKey(readFileSync(options.keyFile, 'utf8'), options.keyFile), source: 'file' };
  }
  mkdirSync(dirname(options.keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(options.keyFile, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(options.keyFile, 0o600);
  return { key, source: 'created-file' };
}

/** SHA-256 hex of a secret; API key secrets are stored only in this form. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
