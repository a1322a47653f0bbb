import { PULL_REQUEST_EVENTS } from '../../../src/domain/webhook-events';
import { parseHandledDelivery } from '../../../src/server/webhooks/payloads';
import { pullRequestEvent, refsChanged } from './bitbucket-payloads';

const repo = { projectKey: 'PLAT', slug: 'network' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('Bitbucket payload parsing', () => {
  it('reads the pushed branches of repo:refs_changed, leaving out deleted branches, and the created and deleted tags apart', () => {
    const body = refsChanged(repo, [
      { branch: 'main', toHash: '1'.repeat(40) },
      { branch: 'feature/new', toHash: '2'.repeat(40), type: 'ADD' },
      { branch: 'old', toHash: '3'.repeat(40), type: 'DELETE' },
      { branch: 'v1.0.0', toHash: '4'.repeat(40), refType: 'TAG', type: 'ADD' },
      { branch: 'v0.9.0', toHash: '0'.repeat(40), refType: 'TAG', type: 'DELETE' },
      { branch: 'moved', toHash: '5'.repeat(40), refType: 'TAG' },
    ]);
    expect(parseHandledDelivery('repo:refs_changed', json(body))).toEqual({
      ok: true,
      event: {
        kind: 'push',
        eventKey: 'repo:refs_changed',
        repository: { projectKey: 'PLAT', repositorySlug: 'network' },
        pushedBranches: [
          { branch: 'main', commit: '1'.repeat(40), fromCommit: 'a'.repeat(40) },
          { branch: 'feature/new', commit: '2'.repeat(40), fromCommit: '0'.repeat(40) },
        ],
        pushedTags: [
          { tag: 'v1.0.0', commit: '4'.repeat(40), type: 'ADD' },
          { tag: 'v0.9.0', commit: 'a'.repeat(40), type: 'DELETE' },
        ],
      },
    });
  });

  it.each(PULL_REQUEST_EVENTS)('reads the target, source and commit of %s', (eventKey) => {
    const body = pullRequestEvent(eventKey, repo, { id: 41, from: 'feature/subnet', to: 'main', latestCommit: 'e'.repeat(40) });
    expect(parseHandledDelivery(eventKey, json(body))).toEqual({
      ok: true,
      event: {
        kind: 'pullRequest',
        eventKey,
        repository: { projectKey: 'PLAT', repositorySlug: 'network' },
        pullRequestId: 41,
        sourceBranch: 'feature/subnet',
        targetBranch: 'main',
        commit: 'e'.repeat(40),
        replan: false,
      },
    });
  });

  it('reads a comment that starts with /liftgate plan as a re-plan, and no other comment', () => {
    const comment = (text: string) => ({
      ...pullRequestEvent('pr:comment:added', repo, { from: 'feature/subnet', to: 'main', latestCommit: 'e'.repeat(40) }),
      comment: { id: 63, version: 0, text },
    });
    for (const text of ['/liftgate plan', '  /liftgate plan please', '/liftgate plan\nwith the new vars']) {
      expect([text, parseHandledDelivery('pr:comment:added', json(comment(text)))]).toMatchObject([text, { ok: true, event: { replan: true } }]);
    }
    for (const text of ['Looks good', 'please /liftgate plan', '/liftgate planned', '/liftgate apply']) {
      expect([text, parseHandledDelivery('pr:comment:added', json(comment(text)))]).toMatchObject([text, { ok: true, event: { replan: false } }]);
    }
  });

  it('refuses commits that are not full ids and branches Git would refuse, naming the field', () => {
    const push = refsChanged(repo, [{ branch: 'main', toHash: 'abc123' }]);
    expect(parseHandledDelivery('repo:refs_changed', json(push))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('changes.0.toHash: must be a full commit id'),
    });
    const badBranch = refsChanged(repo, [{ branch: '../main', toHash: '1'.repeat(40) }]);
    expect(parseHandledDelivery('repo:refs_changed', json(badBranch))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('changes.0.refId: must be a valid Git branch name'),
    });
    const pr = pullRequestEvent('pr:opened', repo, { from: 'a b', to: 'main', latestCommit: '$(id)' });
    const refused = parseHandledDelivery('pr:opened', json(pr));
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('pullRequest.fromRef.id: must be a valid Git branch name') });
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('pullRequest.fromRef.latestCommit: must be a full commit id') });
  });

  it('refuses malformed JSON with the parser message', () => {
    const result = parseHandledDelivery('repo:refs_changed', Buffer.from('{"changes": ['));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed JSON body: /) });
  });

  it('names the missing field when a body does not have the event shape', () => {
    const body = refsChanged(repo, [{ branch: 'main', toHash: '1'.repeat(40) }]) as Record<string, unknown>;
    delete body.repository;
    const result = parseHandledDelivery('repo:refs_changed', json(body));
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('repository') });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('repo:refs_changed') });
  });

  it('refuses a pull-request body sent as a push, and non-object bodies', () => {
    const body = pullRequestEvent('pr:opened', repo, { from: 'a', to: 'main', latestCommit: 'e'.repeat(40) });
    expect(parseHandledDelivery('repo:refs_changed', json({ ...body, eventKey: undefined }))).toMatchObject({ ok: false });
    for (const value of [null, [], 'text', 42]) {
      expect(parseHandledDelivery('pr:opened', json(value))).toMatchObject({ ok: false, reason: expect.stringContaining('body') });
    }
  });

  it('refuses a body whose eventKey contradicts the X-Event-Key header', () => {
    const body = pullRequestEvent('pr:merged', repo, { from: 'a', to: 'main', latestCommit: 'e'.repeat(40) });
    expect(parseHandledDelivery('pr:opened', json(body))).toMatchObject({ ok: false, reason: expect.stringContaining('does not match the X-Event-Key') });
  });

  it('refuses strings PostgreSQL cannot store: NUL and lone surrogates', () => {
    for (const slug of ['net\u0000work', 'net\ud800work', '\udc00']) {
      const body = Buffer.from(JSON.stringify(refsChanged({ projectKey: 'PLAT', slug }, [{ branch: 'main', toHash: '1'.repeat(40) }])));
      expect(parseHandledDelivery('repo:refs_changed', body)).toMatchObject({ ok: false, reason: expect.stringContaining('repository.slug') });
    }
    const paired = Buffer.from(JSON.stringify(refsChanged({ projectKey: 'PLAT', slug: 'net\ud83d\ude80work' }, [])));
    expect(parseHandledDelivery('repo:refs_changed', paired)).toMatchObject({ ok: true });
  });

  it('refuses an unknown ref-change type', () => {
    const body = refsChanged(repo, [{ branch: 'main', toHash: '1'.repeat(40) }]);
    (body.changes[0] as { type: string }).type = 'MOVE';
    expect(parseHandledDelivery('repo:refs_changed', json(body))).toMatchObject({ ok: false, reason: expect.stringContaining('changes.0.type') });
  });
});
