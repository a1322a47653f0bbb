import { BITBUCKET_WEBHOOK_EVENTS, HANDLED_EVENTS, isBitbucketWebhookEvent, isHandledEvent, PING_EVENT } from '../../src/domain/webhook-events';

describe('webhook events', () => {
  it('handles exactly the eight events of SPEC §1, in its order', () => {
    expect(HANDLED_EVENTS).toEqual([
      'repo:refs_changed',
      'pr:opened',
      'pr:from_ref_updated',
      'pr:modified',
      'pr:reviewer:approved',
      'pr:reviewer:unapproved',
      'pr:merged',
      'pr:comment:added',
    ]);
  });

  it('lets a webhook subscribe to every handled event, and to none twice', () => {
    expect(HANDLED_EVENTS.filter((event) => !isBitbucketWebhookEvent(event))).toEqual([]);
    expect(new Set(BITBUCKET_WEBHOOK_EVENTS).size).toBe(BITBUCKET_WEBHOOK_EVENTS.length);
  });

  it('refuses the ping and the event keys a live Bitbucket 9.4 rejects as unknown', () => {
    for (const key of [PING_EVENT, 'pr:reviewer:changes_requested', 'pr:to_ref_updated', 'repo:push']) {
      expect(isBitbucketWebhookEvent(key)).toBe(false);
    }
  });

  it('tells handled events from the ones that are recorded and ignored', () => {
    expect(isHandledEvent('pr:opened')).toBe(true);
    expect(isHandledEvent('pr:declined')).toBe(false);
    expect(isHandledEvent(PING_EVENT)).toBe(false);
  });
});
