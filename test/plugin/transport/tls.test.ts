import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';
import { generatePluginCertificate } from '../../../src/plugin/tls';

describe('generatePluginCertificate', () => {
  const now = new Date('2026-03-04T05:06:07Z');
  const certificate = generatePluginCertificate(now);
  const parsed = AsnConvert.parse(certificate.der, Certificate);
  const extension = (id: string) => parsed.tbsCertificate.extensions?.find((candidate) => candidate.extnID === id);

  it('is well-formed DER that an independent X.509 parser reads back byte for byte', () => {
    expect(Buffer.from(AsnConvert.serialize(parsed))).toEqual(certificate.der);
    expect(parsed.tbsCertificate.version).toBe(2);
  });

  it('is self-signed by an ECDSA P-256 key matching the exported private key', () => {
    const x509 = new X509Certificate(certificate.der);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(x509.checkPrivateKey(createPrivateKey(certificate.privateKeyPem))).toBe(true);
    expect(x509.issuer).toBe('CN=localhost');
    expect(x509.subject).toBe('CN=localhost');
  });

  it('names localhost (what go-plugin verifies) and 127.0.0.1 as subject alternative names', () => {
    const names = AsnConvert.parse(extension(id_ce_subjectAltName)!.extnValue, SubjectAlternativeName);
    expect(names.map((name) => name.dNSName ?? name.iPAddress)).toEqual(['localhost', '127.0.0.1']);
    expect(new X509Certificate(certificate.der).checkHost('localhost')).toBe('localhost');
  });

  it('allows server and client authentication and is its own CA, like go-plugin certificates', () => {
    const usages = AsnConvert.parse(extension(id_ce_extKeyUsage)!.extnValue, ExtendedKeyUsage);
    expect([...usages]).toEqual([id_kp_serverAuth, id_kp_clientAuth]);
    const constraints = AsnConvert.parse(extension(id_ce_basicConstraints)!.extnValue, BasicConstraints);
    expect(constraints.cA).toBe(true);
    expect(extension(id_ce_basicConstraints)!.critical).toBe(true);
    const keyUsage = AsnConvert.parse(extension(id_ce_keyUsage)!.extnValue, KeyUsage);
    expect(keyUsage.toJSON().sort()).toEqual(['digitalSignature', 'keyCertSign']);
  });

  it('is valid from a minute before it was made for ten years', () => {
    const x509 = new X509Certificate(certificate.der);
    expect(new Date(x509.validFrom).toISOString()).toBe('2026-03-04T05:05:07.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe('2036-03-04T05:06:07.000Z');
  });

  it('writes validity dates from 2050 on as GeneralizedTime', () => {
    const late = AsnConvert.parse(generatePluginCertificate(new Date('2049-06-01T00:00:00Z')).der, Certificate);
    expect(late.tbsCertificate.validity.notBefore.utcTime).toBeDefined();
    expect(late.tbsCertificate.validity.notAfter.generalTime?.toISOString()).toBe('2059-06-01T00:00:00.000Z');
  });

  it('makes a new key and serial number every time', () => {
    const other = generatePluginCertificate(now);
    expect(other.privateKeyPem).not.toBe(certificate.privateKeyPem);
    const serial = (der: Buffer) => new X509Certificate(der).serialNumber;
    expect(serial(other.der)).not.toBe(serial(certificate.der));
    expect(createPublicKey(other.privateKeyPem).export({ format: 'jwk' })).not.toEqual(
      createPublicKey(certificate.privateKeyPem).export({ format: 'jwk' }),
    );
  });
});
