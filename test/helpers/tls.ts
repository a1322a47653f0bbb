/**
 * A throwaway certificate authority and a server certificate it signed for 127.0.0.1 and localhost, made with
 * openssl in `dir`: Terraform talks to a module registry only over HTTPS, and trusts this CA through SSL_CERT_FILE.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

export interface ThrowawayTls {
  /** The CA's certificate (PEM): what SSL_CERT_FILE points at. */
  caFile: string;
  /** The server's certificate and key (PEM), for `liftgate serve --tls-cert/--tls-key`. */
  certFile: string;
  keyFile: string;
}

export function throwawayTls(dir: string): ThrowawayTls {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Liftgate test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('server.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
}
