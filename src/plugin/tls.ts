/**
 * The one-time TLS certificate a plugin presents to Terraform.
 *
 * go-plugin's AutoMTLS client dials with TLS, ServerName "localhost", and trusts exactly the certificate
 * printed in the handshake line, so each start makes a fresh self-signed ECDSA P-256 certificate with SAN
 * DNS `localhost` and both serverAuth and clientAuth key usages (the profile go-plugin gives its own
 * certificates).
 *
 * The DER is written by the small encoder below rather than by @peculiar/asn1-x509: loading that library
 * costs ~47 ms, a sixth of a provider start that Terraform pays several times per command, while an X.509
 * certificate of fixed shape needs only a handful of DER primitives. The tests parse the result with
 * @peculiar/asn1-x509 and node's X509Certificate to keep the encoder honest.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface PluginCertificate {
  /** The certificate in DER, as printed (base64) in the handshake line. */
  readonly der: Buffer;
  /** The same certificate as PEM, for grpc-js's cert_chain. */
  readonly certificatePem: string;
  /** The private key as PKCS#8 PEM, for grpc-js's private_key. */
  readonly privateKeyPem: string;
}

const oid = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);
const octetString = (content: Buffer) => tlv(0x04, content);
const booleanTrue = () => tlv(0x01, Buffer.from([0xff]));
const bitString = (content: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));

/** A non-negative INTEGER from big-endian magnitude bytes (DER: minimal, sign bit clear). */
function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0 && magnitude[start + 1] < 0x80) start++;
  const trimmed = magnitude.subarray(start);
  return tlv(0x02, trimmed[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes = [arcs[0] * 40 + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift(0x80 | (rest & 0x7f));
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC with seconds. */
function time(date: Date): Buffer {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(id), ...(critical ? [booleanTrue()] : []), octetString(value));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Generates a fresh key and self-signed certificate for `localhost`, valid from a minute ago (clock skew
 * between the processes cannot matter, but a rounding second can) for ten years.
 */
export function generatePluginCertificate(now: Date = new Date()): PluginCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signatureAlgorithm = sequence(objectIdentifier(oid.ecdsaWithSha256));
  const name = sequence(set(sequence(objectIdentifier(oid.commonName), tlv(0x0c, Buffer.from('localhost', 'utf8')))));
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 10);
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;

  const extensions = sequence(
    // CA:true like go-plugin's certificate: the verifier treats the self-signed leaf as its own root.
    extension(oid.basicConstraints, true, sequence(booleanTrue())),
    // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, two unused trailing bits.
    extension(oid.keyUsage, true, bitString(Buffer.from([0x84]), 2)),
    extension(oid.extendedKeyUsage, false, sequence(objectIdentifier(oid.serverAuth), objectIdentifier(oid.clientAuth))),
    // dNSName [2] "localhost" and iPAddress [7] 127.0.0.1 (the address the handshake line names).
    extension(oid.subjectAltName, false, sequence(tlv(0x82, Buffer.from('localhost', 'ascii')), tlv(0x87, Buffer.from([127, 0, 0, 1])))),
  );
  const tbsCertificate = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    signatureAlgorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbsCertificate, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(tbsCertificate, signatureAlgorithm, bitString(signature));
  return {
    der,
    certificatePem: toPem('CERTIFICATE', der),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
