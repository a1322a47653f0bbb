/**
 * Runs the current process as a Terraform plugin: checks it was started by Terraform, serves the given
 * gRPC services (with go-plugin's controller, stdio and health services) on loopback, and prints the
 * handshake line. Knows nothing of any particular provider.
 */
import { X509Certificate } from 'node:crypto';
import { writeSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { goPluginServices } from './go-plugin';
import {
  formatHandshakeLine,
  negotiateProtocolVersion,
  runDirectlyMessage,
  startedByTerraform,
} from './handshake';
import { createLogger, type Logger } from './logging';
import { generatePluginCertificate } from './tls';

export interface PluginService {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

export interface ServePluginOptions {
  services: PluginService[];
  /** Where the runtime logs its own events; defaults to an hclog logger named "plugin". */
  logger?: Logger;
}

/**
 * grpc-js limits received messages to 4 MiB by default; Terraform's Go client allows MaxInt32 both ways
 * and a large state or schema exceeds 4 MiB, so lift the limits (-1 = unlimited).
 */
const serverOptions: grpc.ServerOptions = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
};

/** How often to check whether Terraform (our parent) is gone; a SIGKILLed Terraform cannot tell us. */
const orphanCheckIntervalMs = 500;

/** The longest a requested shutdown waits for answers still being sent. */
const shutdownGraceMs = 100;

/** Exit code of a crash, like a Go panic, so Terraform's "plugin crashed" path and exit status agree. */
const crashExitCode = 2;

/**
 * Serves the plugin and resolves once the handshake line is printed. From the moment it is called,
 * anything written to stdout goes to stderr instead: stdout belongs to the handshake.
 *
 * Exits the process (code 1) with a one-line explanation when not started by Terraform, or when the
 * server cannot start (see failPluginStartup).
 */
export async function servePlugin(options: ServePluginOptions): Promise<void> {
  redirectStdoutToStderr();
  if (!startedByTerraform(process.env)) {
    process.stderr.write(`${runDirectlyMessage}\n`);
    process.exit(1);
  }
  try {
    await startServing(options);
  } catch (error) {
    failPluginStartup(`the plugin could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Ends a plugin process that cannot start, so that Terraform shows why. go-plugin reports the first stdout
 * line verbatim when it is not a handshake ("Unrecognized remote plugin message: <line>"), while stderr is
 * only visible with TF_LOG set; so the reason goes to stdout as one line without "|" (which would make it
 * look like a handshake), and to stderr as well. Run by hand (no magic cookie), it goes to stderr only.
 */
export function failPluginStartup(reason: string): never {
  const line = reason.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '/').trim();
  if (startedByTerraform(process.env)) writeSync(1, `${line}\n`);
  writeSync(2, `${line}\n`);
  process.exit(1);
}

async function startServing(options: ServePluginOptions): Promise<void> {
  const logger = options.logger ?? createLogger('plugin');
  installProcessGuards(logger);

  const negotiation = negotiateProtocolVersion(process.env.PLUGIN_PROTOCOL_VERSIONS);
  if (negotiation.mismatch) logger.error('protocol version mismatch', { problem: negotiation.mismatch });

  const clientCertificatePem = process.env.PLUGIN_CLIENT_CERT;
  if (clientCertificatePem) checkClientCertificate(clientCertificatePem);
  const certificate = clientCertificatePem ? generatePluginCertificate() : undefined;
  const credentials = certificate
    ? // Like go-plugin's own servers: require the client to present the one-time certificate Terraform
      // generated for this process, so nothing else on the machine can call the provider.
      grpc.ServerCredentials.createSsl(
        Buffer.from(clientCertificatePem as string),
        [{ private_key: Buffer.from(certificate.privateKeyPem), cert_chain: Buffer.from(certificate.certificatePem) }],
        true,
      )
    : grpc.ServerCredentials.createInsecure();

  const server = new grpc.Server(serverOptions);
  const auxiliary = goPluginServices({
    onShutdown: () => {
      logger.debug('shutdown requested by the client');
      // Exit as soon as the Shutdown response (and any other answer in flight) has gone out: tryShutdown
      // calls back once every connection is closed, which Terraform does right after the response. The
      // timer caps the wait far below the 2 seconds Terraform allows before it kills the process.
      server.tryShutdown(() => process.exit(0));
      setTimeout(() => process.exit(0), shutdownGraceMs);
    },
  });
  for (const service of [...auxiliary, ...options.services]) server.addService(service.definition, service.implementation);

  // Port 0: the kernel picks a free port, so concurrent provider processes never collide.
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
  );
  const address = `127.0.0.1:${port}`;
  writeSync(
    1,
    formatHandshakeLine({ network: 'tcp', address, protocolVersion: negotiation.version, certificateDer: certificate?.der }),
  );
  logger.debug('plugin server listening', { address, tls: certificate !== undefined });
}

/** grpc-js only notices a bad client certificate at the first connection; say so at start instead. */
function checkClientCertificate(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new Error(`PLUGIN_CLIENT_CERT is not a PEM certificate (${(error as Error).message})`);
  }
}

/** Sends every later stdout write (console.log included) to stderr, where Terraform logs it. */
function redirectStdoutToStderr(): void {
  const stderrWrite = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  process.stdout.write = ((...args: unknown[]) => stderrWrite(...args)) as typeof process.stdout.write;
}

function installProcessGuards(logger: Logger): void {
  // Ctrl-C reaches the whole process group; Terraform handles it by calling StopProvider, so the plugin must
  // survive it (go-plugin servers ignore SIGINT the same way).
  process.on('SIGINT', () => logger.debug('plugin received interrupt signal, ignoring'));

  // A write to a closed stderr means Terraform is gone and nobody is listening.
  process.stderr.on('error', () => process.exit(0));

  // Terraform's crash capture prints unstructured stderr from a "panic: " line on, whatever the log level,
  // as "Stack trace from the <name> plugin" + "The <name> plugin crashed!"; without it the user would only
  // read "Plugin did not respond", the stack being in the TF_LOG output alone.
  process.on('uncaughtException', (error) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    try {
      writeSync(2, `panic: ${detail}\n`);
    } finally {
      process.exit(crashExitCode);
    }
  });

  // If Terraform dies without killing us (SIGKILL, crash), we are reparented: exit instead of lingering.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      logger.debug('parent process gone, exiting', { parent });
      process.exit(0);
    }
  }, orphanCheckIntervalMs).unref();
}
