/**
 * `bitbucketdc_repository_webhook` driven by the real terraform 1.11 binary against the emulator: the
 * whole life of one webhook in one working directory (terraform is slow, so the steps build on each
 * other and run in order), plus drift, adoption after a lost state and the exit without a shutdown wait.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../../../src/emulator';
import { expectSuccess } from '../../helpers/terraform';
import { bitbucketProviderBlock, WebhookSandbox } from './webhook-sandbox';

jest.setTimeout(240_000);

const secret = 'whsec-Zq81-never-printed';
const rotatedSecret = 'whsec-rotated-out-of-band';

interface WebhookConfig {
  slug?: string;
  url?: string;
  events?: string[];
  active?: boolean;
}

function config(emulator: RunningEmulator, webhook: WebhookConfig = {}): string {
  const active = webhook.active === undefined ? '' : `  active = ${webhook.active}\n`;
  return `${bitbucketProviderBlock(emulator)}
resource "bitbucketdc_repository_webhook" "ci" {
  project_key     = "PLAT"
  repository_slug = ${JSON.stringify(webhook.slug ?? 'network')}
  name            = "liftgate"
  url             = ${JSON.stringify(webhook.url ?? 'https://ci.example.com/hooks/bitbucket')}
  events          = ${JSON.stringify(webhook.events ?? ['repo:refs_changed', 'pr:opened', 'pr:merged'])}
  secret          = ${JSON.stringify(secret)}
${active}}
`;
}

/** The lines of a plan that mark an attribute as changing (`~ name = old -> new`). */
function changedAttributeLines(planOutput: string): string[] {
  return planOutput
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^~ [a-z_]+ +=/.test(line) || /^[-+] "/.test(line));
}

describe('bitbucketdc_repository_webhook with real terraform', () => {
  let fixture: WebhookSandbox;
  const run = (args: string[], env?: NodeJS.ProcessEnv) => fixture.run(args, env);
  const apply = () => fixture.apply();
  const planExitCode = () => fixture.plan();
  const show = () => fixture.show('bitbucketdc_repository_webhook.ci');
  const hooks = (slug = 'network') => fixture.bitbucket.repositoryWebhooks('PLAT', slug);
  const onlyHook = (slug = 'network') => {
    const list = hooks(slug);
    expect(list).toHaveLength(1);
    return list[0];
  };
  /** Changes the webhook in Bitbucket the way a person in its UI would (PUT replaces the whole webhook). */
  const editInBitbucket = async (change: (hook: { name: string; url: string; events: string[]; active: boolean; secret: string }) => void) => {
    const current = await fixture.admin.repositoryWebhooks.get('PLAT', 'network', onlyHook().id);
    const edited = { name: current.name, url: current.url, events: current.events, active: current.active, secret: current.configuration?.secret ?? '' };
    change(edited);
    await fixture.admin.repositoryWebhooks.update('PLAT', 'network', current.id, {
      name: edited.name,
      url: edited.url,
      events: edited.events,
      active: edited.active,
      configuration: { secret: edited.secret },
      sslVerificationRequired: current.sslVerificationRequired,
    });
  };

  beforeAll(async () => {
    fixture = await WebhookSandbox.start(
      'bitbucketdc-repository-webhook',
      (bitbucket) => {
        bitbucket.createProject('PLAT', { name: 'Platform' });
        bitbucket.createRepository('PLAT', 'network');
        bitbucket.createRepository('PLAT', 'api');
      },
      (bitbucket) => config(bitbucket),
    );
  });

  afterAll(() => fixture?.close());

  test('create: the webhook is in Bitbucket as configured; a second plan is empty', async () => {
    await apply();
    const hook = onlyHook();
    expect(hook).toMatchObject({
      name: 'liftgate',
      url: 'https://ci.example.com/hooks/bitbucket',
      active: true,
      sslVerificationRequired: true,
      configuration: { secret },
    });
    expect([...hook.events].sort()).toEqual(['pr:merged', 'pr:opened', 'repo:refs_changed']);
    const shown = await show();
    expect(shown.values).toMatchObject({ project_key: 'PLAT', repository_slug: 'network', webhook_id: hook.id, active: true });
    expect(shown.sensitive_values).toMatchObject({ secret: true });
    expect((await planExitCode()).code).toBe(0);
  });

  test('import into an empty state gives identical attributes', async () => {
    const before = await show();
    expectSuccess(await run(['state', 'rm', 'bitbucketdc_repository_webhook.ci']));
    expectSuccess(await run(['import', '-input=false', 'bitbucketdc_repository_webhook.ci', `PLAT/network/${onlyHook().id}`]));
    const after = await show();
    expect(after.values).toEqual(before.values);
    expect(after.sensitive_values).toEqual(before.sensitive_values);
    expect((await planExitCode()).code).toBe(0);

    const malformed = await run(['import', '-input=false', 'bitbucketdc_repository_webhook.ci', 'PLAT/network']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/Invalid import id/);
    expect(malformed.stderr).toMatch(/PROJECT\/repository_slug\/WEBHOOK_ID/);
  });

  test('in-place update of url, events and active', async () => {
    const id = onlyHook().id;
    fixture.sandbox.writeConfig(
      config(fixture.bitbucket, { url: 'https://ci.example.com/hooks/v2', events: ['repo:refs_changed', 'pr:from_ref_updated'], active: false }),
    );
    const plan = await planExitCode();
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/1 to change/);
    await apply();
    const hook = onlyHook();
    expect(hook).toMatchObject({ id, url: 'https://ci.example.com/hooks/v2', active: false, configuration: { secret } });
    expect([...hook.events].sort()).toEqual(['pr:from_ref_updated', 'repo:refs_changed']);
    expect((await planExitCode()).code).toBe(0);
    fixture.sandbox.writeConfig(config(fixture.bitbucket));
    await apply();
  });

  test.each([
    ['events removed', (hook: { events: string[] }) => (hook.events = ['repo:refs_changed']), /^~ events +=/],
    ['deactivated', (hook: { active: boolean }) => (hook.active = false), /^~ active += false -> true$/],
    ['URL changed', (hook: { url: string }) => (hook.url = 'https://attacker.example.net/x'), /^~ url += "https:\/\/attacker\.example\.net\/x" -> "https:\/\/ci\.example\.com\/hooks\/bitbucket"$/],
    ['secret changed', (hook: { secret: string }) => (hook.secret = rotatedSecret), /^~ secret += \(sensitive value\)$/],
  ])('drift: %s in Bitbucket shows as exactly that change; apply restores it', async (_what, change, expectedLine) => {
    await editInBitbucket(change as never);
    const plan = await planExitCode();
    expect(plan.code).toBe(2);
    const changed = changedAttributeLines(plan.stdout).filter((line) => line.startsWith('~'));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(expectedLine);
    await apply();
    expect(onlyHook()).toMatchObject({ url: 'https://ci.example.com/hooks/bitbucket', active: true, configuration: { secret } });
    expect([...onlyHook().events].sort()).toEqual(['pr:merged', 'pr:opened', 'repo:refs_changed']);
  });

  test('deleted in Bitbucket: planned for creation, and apply creates it again', async () => {
    await fixture.admin.repositoryWebhooks.delete('PLAT', 'network', onlyHook().id);
    const plan = await planExitCode();
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/bitbucketdc_repository_webhook\.ci will be created/);
    await apply();
    expect(onlyHook().name).toBe('liftgate');
  });

  test('a create whose state was never saved adopts the webhook instead of duplicating it', async () => {
    const id = onlyHook().id;
    // The webhook exists but Terraform does not know it (a crash between Bitbucket's answer and the
    // state write); meanwhile someone deactivated it.
    expectSuccess(await run(['state', 'rm', 'bitbucketdc_repository_webhook.ci']));
    await editInBitbucket((hook) => (hook.active = false));
    const plan = await planExitCode();
    expect(plan.stdout).toMatch(/will be created/);
    await apply();
    const hook = onlyHook();
    expect(hook).toMatchObject({ id, active: true });
    expect((await show()).values.webhook_id).toBe(id);
    expect((await planExitCode()).code).toBe(0);
  });

  test('terraform does not wait for the provider to exit after a no-op plan', async () => {
    const logFile = join(fixture.sandbox.root, 'plan-trace.log');
    const result = await run(['plan', '-detailed-exitcode', '-input=false'], { TF_LOG: 'trace', TF_LOG_PATH: logFile });
    expect(result.code).toBe(0);
    const log = readFileSync(logFile, 'utf8');
    expect(log).not.toContain('plugin failed to exit gracefully');
    // Every provider process Terraform started ended by itself once told to, before the 2 s after which Terraform
    // kills it (go-plugin logs that kill as "failed to exit gracefully", refused above).
    const exits = exitDelaysMs(log);
    // Schema loading and the plan itself each start a provider process.
    expect(exits.length).toBeGreaterThanOrEqual(2);
    for (const delay of exits) expect(delay).toBeLessThan(2000);
  });

  test('changing repository_slug replaces the webhook', async () => {
    fixture.sandbox.writeConfig(config(fixture.bitbucket, { slug: 'api' }));
    const plan = await planExitCode();
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/must be replaced/);
    expect(plan.stdout).toMatch(/repository_slug += "network" -> "api" # forces replacement/);
    await apply();
    expect(hooks('network')).toHaveLength(0);
    expect(onlyHook('api')).toMatchObject({ name: 'liftgate', configuration: { secret } });
    expect((await planExitCode()).code).toBe(0);
  });

  test('destroy removes the webhook from Bitbucket', async () => {
    expectSuccess(await run(['destroy', '-auto-approve', '-input=false']));
    expect(hooks('api')).toHaveLength(0);
    expect(hooks('network')).toHaveLength(0);
  });

  test('the secret never appeared in any terraform output', () => {
    const everything = fixture.outputs.join('\n');
    // The outputs of the tests above are all here: the applies, the plans that showed the secret changing, the destroy.
    expect(everything).toContain('Apply complete!');
    expect(everything).toContain('~ secret');
    expect(everything).toContain('(sensitive value)');
    expect(everything).toContain('Destroy complete!');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(rotatedSecret);
  });
});

/**
 * For each provider process in a Terraform trace log: ms from Terraform closing it
 * (`GRPCProvider.v6: Close`, after which go-plugin waits up to 2 s and then kills) to
 * `provider: plugin process exited`. Lines start with an RFC 3339 timestamp with milliseconds.
 */
function exitDelaysMs(log: string): number[] {
  const time = (line: string) => Date.parse(line.slice(0, line.indexOf(' ')));
  const delays: number[] = [];
  let closedAt: number | undefined;
  for (const line of log.split('\n')) {
    if (line.includes('GRPCProvider.v6: Close')) closedAt = time(line);
    else if (line.includes('provider: plugin process exited') && line.includes('bitbucketdc') && closedAt !== undefined) {
      delays.push(time(line) - closedAt);
      closedAt = undefined;
    }
  }
  return delays;
}
