import type { BitbucketWebhook } from '../../src/clients/bitbucket';
import { compareWebhooks, sameUrl, signatureFailures, type ExpectedWebhook, type LoggedDelivery } from '../../src/cli/drift/compare';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';

const expected: ExpectedWebhook = {
  integrationId: 'main',
  url: 'https://liftgate.example.com/webhooks/bitbucket-datacenter/main',
  secret: 'a'.repeat(64),
  events: HANDLED_EVENTS,
  conventionalName: 'Liftgate main',
};

let nextId = 1;
function webhook(changes: Partial<BitbucketWebhook> & { secret?: string | null } = {}): BitbucketWebhook {
  const { secret, ...rest } = changes;
  return {
    id: nextId++,
    name: 'Liftgate main',
    url: expected.url,
    events: [...HANDLED_EVENTS],
    active: true,
    configuration: secret === null ? {} : { secret: secret ?? expected.secret },
    scopeType: 'repository',
    ...rest,
  };
}

describe('compareWebhooks', () => {
  it('finds nothing when one webhook at the expected URL is right, whatever else fires', () => {
    expect(compareWebhooks(expected, [webhook({ active: false }), webhook(), webhook({ url: 'https://ci.example.com/hook', name: 'CI' })])).toEqual([]);
  });

  it('accepts a project webhook (inherited by the repository)', () => {
    expect(compareWebhooks(expected, [webhook({ scopeType: 'PROJECT' })])).toEqual([]);
  });

  it('treats URLs that differ only in host case or default port as the same', () => {
    expect(sameUrl('https://LIFTGATE.example.com:443/webhooks/bitbucket-datacenter/main', expected.url)).toBe(true);
    expect(sameUrl('https://liftgate.example.com/webhooks/bitbucket-datacenter/other', expected.url)).toBe(false);
    expect(compareWebhooks(expected, [webhook({ url: 'https://Liftgate.Example.com/webhooks/bitbucket-datacenter/main' })])).toEqual([]);
  });

  it('reports a missing webhook when nothing delivers to Liftgate', () => {
    expect(compareWebhooks(expected, [webhook({ url: 'https://ci.example.com/hook', name: 'CI', secret: null })])).toEqual([
      { kind: 'missing-webhook', detail: `no webhook of the repository or its project delivers to ${expected.url}`, webhook: null },
    ]);
    expect(compareWebhooks(expected, [])).toHaveLength(1);
  });

  it('reports a wrong URL for a webhook recognised by its name, its secret, or the receiver path', () => {
    const byName = webhook({ url: 'https://typo.example.com/hook', secret: null });
    const bySecret = webhook({ url: 'https://typo.example.com/hook2', name: 'renamed' });
    const byPath = webhook({ url: 'http://10.0.0.5:8710/webhooks/bitbucket-datacenter/main', name: 'other', secret: 'x' });
    for (const [candidate, kinds] of [
      [byName, ['wrong-url', 'secret-mismatch']],
      [bySecret, ['wrong-url']],
      [byPath, ['wrong-url', 'secret-mismatch']],
    ] as const) {
      const problems = compareWebhooks(expected, [candidate]);
      expect(problems[0]).toEqual({
        kind: 'wrong-url',
        detail: `delivers to ${candidate.url}, expected ${expected.url}`,
        webhook: { id: candidate.id, name: candidate.name, url: candidate.url, scope: 'repository' },
      });
      expect(problems.map((problem) => problem.kind)).toEqual(kinds);
    }
    // Everything else wrong with it is reported at once, not only after the URL is fixed.
    const movedAndBroken = webhook({ url: 'https://typo.example.com/hook', active: false, events: ['repo:refs_changed'] });
    expect(compareWebhooks(expected, [movedAndBroken]).map((problem) => problem.kind)).toEqual(['wrong-url', 'inactive', 'missing-events']);
    // Another integration's receiver is not this one's webhook.
    expect(compareWebhooks(expected, [webhook({ url: 'https://liftgate.example.com/webhooks/bitbucket-datacenter/mainline', name: 'x', secret: 'y' })])[0]?.kind).toBe(
      'missing-webhook',
    );
  });

  it('reports each problem of the closest webhook: inactive, missing events, secret', () => {
    const broken = webhook({ active: false, events: ['repo:refs_changed'], secret: 'b'.repeat(64) });
    expect(compareWebhooks(expected, [broken]).map((problem) => problem.kind)).toEqual(['inactive', 'missing-events', 'secret-mismatch']);
    const nearlyRight = webhook({ active: false });
    expect(compareWebhooks(expected, [broken, nearlyRight])).toEqual([
      { kind: 'inactive', detail: 'the webhook is disabled, so Bitbucket sends nothing', webhook: expect.objectContaining({ id: nearlyRight.id }) },
    ]);
  });

  it('names the missing events in SPEC order', () => {
    const problems = compareWebhooks(expected, [webhook({ events: ['pr:merged', 'repo:refs_changed', 'repo:modified'] })]);
    expect(problems).toEqual([
      {
        kind: 'missing-events',
        detail: 'not subscribed to pr:opened, pr:from_ref_updated, pr:modified, pr:reviewer:approved, pr:reviewer:unapproved, pr:comment:added',
        webhook: expect.anything(),
      },
    ]);
  });

  it('tells a missing secret from a different one, without showing either', () => {
    const [missing] = compareWebhooks(expected, [webhook({ secret: null })]);
    const [empty] = compareWebhooks(expected, [webhook({ secret: '' })]);
    const [other] = compareWebhooks(expected, [webhook({ secret: 'c'.repeat(64) })]);
    expect(missing?.detail).toBe('the webhook has no secret, so its deliveries are unsigned and Liftgate refuses them (401)');
    expect(empty?.detail).toBe(missing?.detail);
    expect(other?.detail).toBe("the webhook's secret is not the integration's webhook secret, so Liftgate refuses its deliveries (401)");
    expect(JSON.stringify([missing, other])).not.toContain('c'.repeat(64));
  });
});

describe('signatureFailures', () => {
  const since = new Date('2026-11-26T00:00:00Z');
  const delivery = (changes: Partial<LoggedDelivery>): LoggedDelivery => ({
    outcome: 'REJECTED',
    statusCode: 401,
    reason: 'X-Hub-Signature does not match the body signed with the integration secret',
    receivedAt: '2026-11-26T10:00:00.000Z',
    repository: null,
    ...changes,
  });

  it('counts 401 refusals in the window per repository and keeps the latest reason', () => {
    const groups = signatureFailures(
      [
        delivery({ receivedAt: '2026-11-26T12:00:00.000Z', reason: 'missing X-Hub-Signature header', repository: { projectKey: 'plat', repositorySlug: 'Net' } }),
        delivery({ repository: { projectKey: 'PLAT', repositorySlug: 'net' } }),
        delivery({}),
        delivery({ statusCode: 400, reason: 'malformed JSON' }),
        delivery({ outcome: 'TRIGGERED', statusCode: 200 }),
        delivery({ receivedAt: '2026-11-25T23:59:59.000Z' }),
      ],
      since,
    );
    expect(groups).toEqual([
      { repository: { projectKey: 'plat', repositorySlug: 'Net' }, count: 2, latestAt: '2026-11-26T12:00:00.000Z', latestReason: 'missing X-Hub-Signature header' },
      { repository: null, count: 1, latestAt: '2026-11-26T10:00:00.000Z', latestReason: expect.stringContaining('does not match') },
    ]);
  });

  it('counts every refusal an aggregated entry stands for, by the last one it counts', () => {
    const groups = signatureFailures(
      [
        delivery({ receivedAt: '2026-11-25T23:59:00.000Z', lastReceivedAt: '2026-11-26T00:30:00.000Z', count: 4_000, reason: 'more than 30 refused deliveries' }),
        delivery({}),
      ],
      since,
    );
    expect(groups).toEqual([{ repository: null, count: 4_001, latestAt: '2026-11-26T10:00:00.000Z', latestReason: expect.stringContaining('does not match') }]);
  });

  it('finds nothing in a log without refusals', () => {
    expect(signatureFailures([delivery({ outcome: 'IGNORED', statusCode: 202 })], since)).toEqual([]);
  });
});
