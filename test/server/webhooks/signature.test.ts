import { createHmac } from 'node:crypto';
import { hubSignatureFor, verifyHubSignature } from '../../../src/server/webhooks/signature';

const secret = 'a3f1'.repeat(16);
const body = Buffer.from('{"eventKey":"repo:refs_changed"}');

describe('X-Hub-Signature verification', () => {
  it('produces the header Bitbucket sends: sha256= and the lowercase hex HMAC of the raw body', () => {
    expect(hubSignatureFor(secret, body)).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  });

  it('accepts the right signature, in either hex case', () => {
    const header = hubSignatureFor(secret, body);
    expect(verifyHubSignature(secret, body, header)).toEqual({ valid: true });
    expect(verifyHubSignature(secret, body, `sha256=${header.slice(7).toUpperCase()}`)).toEqual({ valid: true });
  });

  it('refuses a missing header', () => {
    expect(verifyHubSignature(secret, body, undefined)).toMatchObject({ valid: false, reason: expect.stringMatching(/missing/) });
    expect(verifyHubSignature(secret, body, '')).toMatchObject({ valid: false });
  });

  it('refuses a signature made with another secret or over other bytes', () => {
    expect(verifyHubSignature(secret, body, hubSignatureFor('other', body))).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
    const reformatted = Buffer.from('{ "eventKey": "repo:refs_changed" }');
    expect(verifyHubSignature(secret, reformatted, hubSignatureFor(secret, body))).toMatchObject({ valid: false });
  });

  it('refuses other algorithms, truncated digests and repeated headers', () => {
    const digest = hubSignatureFor(secret, body).slice(7);
    expect(verifyHubSignature(secret, body, `sha1=${digest}`)).toMatchObject({ valid: false, reason: expect.stringMatching(/form/) });
    expect(verifyHubSignature(secret, body, `sha256=${digest.slice(0, 62)}`)).toMatchObject({ valid: false });
    expect(verifyHubSignature(secret, body, digest)).toMatchObject({ valid: false });
    expect(verifyHubSignature(secret, body, [hubSignatureFor(secret, body), hubSignatureFor(secret, body)])).toMatchObject({ valid: false });
  });
});
