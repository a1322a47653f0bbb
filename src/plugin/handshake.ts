/**
 * The go-plugin handshake as Terraform 1.11 performs it: environment in, one stdout line out.
 */

/** The cookie Terraform sets so that a plugin can tell it was started by Terraform (go-plugin HandshakeConfig). */
export const magicCookieKey = 'TF_PLUGIN_MAGIC_COOKIE';
export const magicCookieValue = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

/** go-plugin's core protocol version; the client rejects any other. */
export const coreProtocolVersion = 1;

/** The only plugin protocol this runtime speaks (tfplugin6). */
export const pluginProtocolVersion = 6;

/** What a person who runs the provider executable by hand reads. */
export const runDirectlyMessage =
  'This is a Terraform provider plugin: Terraform starts it when a configuration uses the provider. ' +
  'It is not meant to be run directly.';

export function startedByTerraform(env: NodeJS.ProcessEnv): boolean {
  return env[magicCookieKey] === magicCookieValue;
}

export interface ProtocolNegotiation {
  readonly version: number;
  /** Set when the client offered versions that do not include ours; the handshake still names ours, as
   * go-plugin servers do, so that Terraform reports "Incompatible API version with plugin". */
  readonly mismatch?: string;
}

/**
 * Picks the plugin protocol version from PLUGIN_PROTOCOL_VERSIONS (comma-separated, in no stable order:
 * Terraform builds it from a Go map). Absent means a client that does not negotiate (reattach, tests).
 */
export function negotiateProtocolVersion(offered: string | undefined): ProtocolNegotiation {
  if (offered === undefined || offered.trim() === '') return { version: pluginProtocolVersion };
  const versions = offered.split(',').map((part) => part.trim());
  if (versions.includes(String(pluginProtocolVersion))) return { version: pluginProtocolVersion };
  return {
    version: pluginProtocolVersion,
    mismatch: `the client offers plugin protocol versions ${versions.join(', ')}, this plugin speaks only ${pluginProtocolVersion}`,
  };
}

/**
 * `CORE|APP|NETWORK|ADDRESS|grpc|CERT` plus a newline. CERT is the server certificate's DER in base64 of
 * the standard alphabet without padding (Go's base64.RawStdEncoding), or empty when serving plaintext.
 */
export function formatHandshakeLine(options: {
  network: 'tcp' | 'unix';
  address: string;
  protocolVersion: number;
  certificateDer?: Uint8Array;
}): string {
  const certificate = options.certificateDer ? Buffer.from(options.certificateDer).toString('base64').replace(/=+$/, '') : '';
  return `${coreProtocolVersion}|${options.protocolVersion}|${options.network}|${options.address}|grpc|${certificate}\n`;
}
