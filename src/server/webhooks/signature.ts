import { createHmac, timingSafeEqual } from 'node:crypto';

/** What checking a delivery's `X-Hub-Signature` header against the integration's secret found. */
export type SignatureCheck =
  | { valid: true }
  | { valid: false; reason: string };

const SIGNATURE_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/** The header value Bitbucket sends for a body: `sha256=` + lowercase hex HMAC-SHA256 keyed with the secret. */
export function hubSignatureFor(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Checks `X-Hub-Signature` over the raw body bytes exactly as received (re-serialising parsed JSON would
 * change them). The digests are compared with `timingSafeEqual`, so the time taken does not reveal how
 * many leading bytes of a forged signature were right.
 */
export function verifyHubSignature(secret: string, rawBody: Buffer, header: string | string[] | undefined): SignatureCheck {
  if (header === undefined || header === '') {
    return { valid: false, reason: 'missing X-Hub-Signature header (the webhook must be configured with the integration secret)' };
  }
  if (Array.isArray(header)) {
    return { valid: false, reason: 'more than one X-Hub-Signature header' };
  }
  const match = SIGNATURE_FORMAT.exec(header);
  if (match === null) {
    return { valid: false, reason: 'X-Hub-Signature is not of the form sha256=<64 hex digits>' };
  }
  const received = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(received, expected)) {
    return { valid: false, reason: 'X-Hub-Signature does not match the body signed with the integration secret' };
  }
  return { valid: true };
}
