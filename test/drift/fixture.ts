import { BitbucketClient, type BitbucketWebhook } from '../../src/clients/bitbucket';
import { LiftgateClient, type Integration, type Stack } from '../../src/clients/liftgate';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { ControlPlaneProcess } from '../helpers/serve';

/**
 * A control plane (real process) and a Bitbucket emulator (fresh per test) wired together: integrations
 * point at the emulator with its admin token, and the emulator can deliver to the control plane.
 */
export class DriftFixture {
  emulator!: RunningEmulator;
  bitbucket!: BitbucketClient;
  readonly liftgate: LiftgateClient;

  constructor(readonly serve: ControlPlaneProcess) {
    this.liftgate = new LiftgateClient({ endpoint: serve.url, apiKey: serve.adminKey });
  }

  async startEmulator(): Promise<void> {
    this.emulator = await startEmulator({ port: 0 });
    this.bitbucket = new BitbucketClient({ baseUrl: this.emulator.url, token: this.emulator.adminToken });
  }

  /** Deletes every stack and integration, so each test's drift run sees only its own. */
  async clear(): Promise<void> {
    for (const stack of await this.liftgate.stacks.list()) await this.liftgate.stacks.delete(stack.id);
    for (const integration of await this.liftgate.integrations.list()) await this.liftgate.integrations.delete(integration.id);
  }

  async stopEmulator(): Promise<void> {
    this.bitbucket?.close();
    await this.emulator?.close();
  }

  async dispose(): Promise<void> {
    this.liftgate.close();
    await this.serve.stop();
  }

  createIntegration(name: string, overrides: { apiHost?: string; isDefault?: boolean } = {}): Promise<Integration> {
    return this.liftgate.integrations.create({
      name,
      isDefault: overrides.isDefault ?? false,
      spaceId: overrides.isDefault === true ? undefined : 'root',
      apiHost: overrides.apiHost ?? this.emulator.url,
      username: 'admin',
      accessToken: this.emulator.adminToken,
    });
  }

  createStack(name: string, integration: Integration | null, projectKey: string, repositorySlug: string): Promise<Stack> {
    return this.liftgate.stacks.create({
      name,
      spaceId: 'root',
      vcs: { integrationId: integration?.id ?? null, projectKey, repositorySlug, branch: 'main' },
    });
  }

  /** The webhook the constructs make for an integration, with `changes` applied. */
  createWebhook(
    projectKey: string,
    repositorySlug: string | null,
    integration: Integration,
    changes: { url?: string; events?: string[]; active?: boolean; secret?: string | null; name?: string } = {},
  ): Promise<BitbucketWebhook> {
    const secret = changes.secret === undefined ? integration.webhookSecret : changes.secret;
    const input = {
      name: changes.name ?? `Liftgate ${integration.name}`,
      url: changes.url ?? integration.webhookUrl,
      events: changes.events ?? [...HANDLED_EVENTS],
      active: changes.active ?? true,
      configuration: secret === null ? {} : { secret },
    };
    return repositorySlug === null
      ? this.bitbucket.projectWebhooks.create(projectKey, input)
      : this.bitbucket.repositoryWebhooks.create(projectKey, repositorySlug, input);
  }
}
