import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../emulator';
import { UsageError, parseFlags, parsePort, type Command } from './command';

const usage = `Usage: liftgate bitbucket-emulator [options]

Runs a local stand-in for Bitbucket Data Center 9.4's REST API and webhook delivery.

Options:
  --host HOST          interface to listen on (default 127.0.0.1)
  --port PORT          port to listen on (default 7990; 0 picks a free one)
  --state FILE         keep the state in FILE so a restart keeps it (default: memory only)
  --admin-token TOKEN  token of user "admin" (every permission); when absent one is generated and
                       written to a file readable only by you, whose path is printed
  -h, --help           show this help

Prints the base URL first. REST: <url>/rest/api/latest/…; emulator controls: <url>/_emulator/….
Stops cleanly on SIGTERM or SIGINT.`;

const flags = {
  host: { type: 'string' },
  port: { type: 'string' },
  state: { type: 'string' },
  'admin-token': { type: 'string' },
} as const;

/** Writes a generated admin token next to the state file, or in a fresh private temporary directory. */
function writeAdminToken(token: string, stateFile: string | undefined): string {
  const file =
    stateFile === undefined
      ? join(mkdtempSync(join(tmpdir(), 'liftgate-bitbucket-emulator-')), 'admin-token')
      : `${stateFile}.admin-token`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}

export const bitbucketEmulatorCommand: Command = {
  name: 'bitbucket-emulator',
  summary: 'run a local Bitbucket Data Center emulator (REST API and webhook delivery)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, flags);
    const host = values.host ?? '127.0.0.1';
    if (host.trim() === '') throw new UsageError('--host must not be empty');
    const port = values.port === undefined ? 7990 : parsePort(values.port, '--port');
    if (values.state !== undefined && values.state.trim() === '') throw new UsageError('--state must name a file');
    const givenToken = values['admin-token'];
    if (givenToken !== undefined && (givenToken.trim() === '' || /\s/.test(givenToken))) {
      throw new UsageError('--admin-token must be a non-empty value without spaces');
    }
    const adminToken = givenToken ?? randomBytes(24).toString('base64url');

    const emulator = await startEmulator({
      host,
      port,
      adminToken,
      ...(values.state === undefined ? {} : { stateFile: values.state }),
    });
    process.stdout.write(`${emulator.url}\n`);
    if (givenToken === undefined) {
      process.stdout.write(`admin token (user "admin") written to ${writeAdminToken(adminToken, values.state)}\n`);
    }
    if (values.state !== undefined) process.stdout.write(`state kept in ${values.state}\n`);

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    await emulator.close();
    return 0;
  },
};
