import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, type Command } from './command';

/**
 * Every command, loaded lazily so that `liftgate <command>` only pays for the parts it uses
 * (the Terraform provider processes start through their own entry point, lib/cli/provider.js).
 */
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve')).serveCommand,
  worker: async () => (await import('./worker')).workerCommand,
  runs: async () => (await import('./runs')).runsCommand,
  'bitbucket-emulator': async () => (await import('./bitbucket-emulator')).bitbucketEmulatorCommand,
  provider: async () => (await import('./provider-install')).providerCommand,
  drift: async () => (await import('./drift')).driftCommand,
  demo: async () => (await import('./demo')).demoCommand,
  'vcs-agent': async () => (await import('./vcs-agent')).vcsAgentCommand,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

async function overview(): Promise<string> {
  const lines = ['Usage: liftgate <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) {
    lines.push(`  ${name.padEnd(20)} ${(await load()).summary}`);
  }
  lines.push('', 'Run `liftgate <command> --help` for the options of a command.');
  return lines.join('\n');
}

/** Runs the CLI; resolves to the exit code. Errors are printed as one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${await overview()}\n`);
      return name === undefined ? 1 : 0;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    const load = commands[name];
    if (load === undefined) {
      throw new UsageError(`unknown command "${name}"; run \`liftgate --help\` for the list`);
    }
    const command = await load();
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`liftgate: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
