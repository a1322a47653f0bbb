/**
 * The provider process, started by Terraform through the launcher `liftgate provider install` writes. It runs
 * as the self-contained bundle `lib/provider/provider.js` (scripts/build-provider.js), which the launcher sits
 * beside, and from lib/cli/provider.js in this repository's tests. Kept apart from `liftgate`'s command
 * dispatcher so a provider start loads nothing but the runtime and its own provider (Terraform starts several
 * per command).
 */
import { type ProviderDefinition } from '../plugin/framework';
import { createLogger } from '../plugin/logging';
import { providerService } from '../plugin/provider-service';
import { servePlugin } from '../plugin/serve';

interface ProviderModule {
  provider: ProviderDefinition;
}

/**
 * Every provider this package serves. Loaded lazily, so a process pays only for its own provider; static
 * requires, so the bundler can see them.
 */
const providers: Record<string, () => ProviderDefinition> = {
  bitbucketdc: () => (require('../terraform/bitbucketdc/provider') as ProviderModule).provider,
  liftgate: () => (require('../terraform/liftgate/provider') as ProviderModule).provider,
};

/** Loads a provider by type name, or throws an Error with a one-line explanation. */
export function loadProvider(type: string | undefined): ProviderDefinition {
  const choices = `known types: ${Object.keys(providers).sort().join(', ')}`;
  if (type === undefined) throw new Error(`usage: provider.js <type> (${choices})`);
  if (!Object.hasOwn(providers, type)) throw new Error(`unknown provider type "${type}" (${choices})`);
  return providers[type]!();
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
