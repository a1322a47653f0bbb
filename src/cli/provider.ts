/**
 * The provider process: `node lib/cli/provider.js <type>`, started by Terraform through the launcher
 * `liftgate provider install` writes. Loads `../terraform/<type>/provider` (which exports `provider`)
 * and serves it over plugin protocol 6. Kept apart from `liftgate`'s command dispatcher so a provider
 * start loads nothing but the runtime and its own provider (Terraform starts several per command).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ProviderDefinition } from '../plugin/framework';
import { createLogger } from '../plugin/logging';
import { providerService } from '../plugin/provider-service';
import { servePlugin } from '../plugin/serve';

const providersDirectory = join(__dirname, '..', 'terraform');

function knownProviderTypes(): string[] {
  if (!existsSync(providersDirectory)) return [];
  return readdirSync(providersDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(providersDirectory, entry.name, 'provider.js')))
    .map((entry) => entry.name)
    .sort();
}

/** Loads a provider by type name, or throws an Error with a one-line explanation. */
export function loadProvider(type: string | undefined): ProviderDefinition {
  const known = knownProviderTypes();
  const choices = known.length === 0 ? 'none are installed' : `known types: ${known.join(', ')}`;
  if (type === undefined) throw new Error(`usage: node lib/cli/provider.js <type> (${choices})`);
  // The name becomes a path: only plain names, never "../x".
  if (!/^[a-z][a-z0-9]*$/.test(type) || !known.includes(type)) throw new Error(`unknown provider type "${type}" (${choices})`);
  const loaded = require(join(providersDirectory, type, 'provider')) as { provider?: ProviderDefinition };
  if (loaded.provider === undefined) throw new Error(`the ${type} provider module does not export "provider"`);
  return loaded.provider;
}

/** Serves a provider definition as this process's Terraform plugin; resolves once the handshake is printed. */
export async function serveProvider(provider: ProviderDefinition): Promise<void> {
  const logger = createLogger(provider.typeName);
  const service = providerService(provider, { logger });
  await servePlugin({ services: [service], logger });
}

/** Runs the provider process for `argv` (the arguments after the script); exits 1 with one line on failure. */
export async function runProviderProcess(argv: string[]): Promise<void> {
  try {
    if (argv.length > 1) throw new Error(`expected one argument, the provider type; got ${argv.length}`);
    await serveProvider(loadProvider(argv[0]));
  } catch (error) {
    process.stderr.write(`liftgate provider: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
    process.exit(1);
  }
}

if (require.main === module) {
  void runProviderProcess(process.argv.slice(2));
}
