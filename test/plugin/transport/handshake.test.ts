import {
  formatHandshakeLine,
  magicCookieKey,
  magicCookieValue,
  negotiateProtocolVersion,
  startedByTerraform,
} from '../../../src/plugin/handshake';

describe('negotiateProtocolVersion', () => {
  it.each(['5,6', '6,5', ' 6 , 5 ', '6'])('picks 6 from %p (Terraform builds the list from a Go map, in any order)', (offered) => {
    expect(negotiateProtocolVersion(offered)).toEqual({ version: 6 });
  });

  it('assumes 6 when the client does not negotiate', () => {
    expect(negotiateProtocolVersion(undefined)).toEqual({ version: 6 });
    expect(negotiateProtocolVersion('')).toEqual({ version: 6 });
  });

  it('still answers 6 but reports the mismatch when 6 is not offered, so Terraform names the incompatibility', () => {
    expect(negotiateProtocolVersion('4,5')).toEqual({
      version: 6,
      mismatch: 'the client offers plugin protocol versions 4, 5, this plugin speaks only 6',
    });
  });
});

describe('startedByTerraform', () => {
  it('requires the exact magic cookie', () => {
    expect(startedByTerraform({ [magicCookieKey]: magicCookieValue })).toBe(true);
    expect(startedByTerraform({ [magicCookieKey]: 'something-else' })).toBe(false);
    expect(startedByTerraform({})).toBe(false);
  });
});

describe('formatHandshakeLine', () => {
  it('writes the certificate as standard base64 without padding (Go RawStdEncoding)', () => {
    // 4 bytes need "==" padding in standard base64; 0xfb 0xff gives "+" and "/" from the standard alphabet.
    const line = formatHandshakeLine({ network: 'tcp', address: '127.0.0.1:1234', protocolVersion: 6, certificateDer: Buffer.from([0xfb, 0xff, 0xbf, 0x01]) });
    expect(line).toBe('1|6|tcp|127.0.0.1:1234|grpc|+/+/AQ\n');
  });

  it('leaves the certificate field empty for plaintext, with exactly six fields', () => {
    expect(formatHandshakeLine({ network: 'unix', address: '/tmp/plugin123', protocolVersion: 6 })).toBe('1|6|unix|/tmp/plugin123|grpc|\n');
  });
});
