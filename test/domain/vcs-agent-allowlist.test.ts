import { checkAgentRequest, describeAllowlist } from '../../src/domain/vcs-agent-allowlist';

const REPO = '/rest/api/latest/projects/PLAT/repos/infra';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('the VCS agent allowlist', () => {
  it.each([
    ['GET', '/rest/api/latest/application-properties'],
    ['GET', '/rest/api/1.0/application-properties'],
    ['GET', '/rest/api/latest/repos?permission=REPO_ADMIN&limit=1'],
    ['GET', `${REPO}/archive?at=${COMMIT}&format=tar.gz`],
    ['GET', `${REPO}/commits/${COMMIT}/changes?limit=1000`],
    ['GET', `${REPO}/compare/changes?from=a&to=b`],
    ['POST', `${REPO}/commits/${COMMIT}/builds`],
    ['GET', `${REPO}/commits/${COMMIT}/pull-requests`],
    ['POST', `${REPO}/pull-requests/7/comments`],
    ['PUT', `${REPO}/pull-requests/7/comments/12`],
    ['GET', `${REPO}/raw/modules/network/main.tf?at=refs%2Fheads%2Fmain`],
  ])('forwards %s %s', (method, path) => {
    expect(checkAgentRequest(method, path)).toMatchObject({ allowed: true });
  });

  it.each([
    ['DELETE', `${REPO}`, /not a Bitbucket request Liftgate makes/],
    ['POST', `${REPO}/archive`, /not a Bitbucket request Liftgate makes/],
    ['GET', '/rest/api/latest/admin/users', /not a Bitbucket request Liftgate makes/],
    ['PUT', `${REPO}/webhooks/1`, /not a Bitbucket request Liftgate makes/],
    ['GET', '/rest/build-status/1.0/commits/abc', /not a Bitbucket request Liftgate makes/],
    ['GET', `${REPO}/raw/../../../admin`, /dot segments/],
    ['GET', `${REPO}/raw/%2e%2e/x`, /encoded or unsafe/],
    ['GET', `/rest/api/latest/projects/PLAT%2Frepos/x`, /encoded or unsafe/],
    ['GET', `${REPO}\\..\\x`, /encoded or unsafe/],
    ['GET', 'http://evil.example/rest/api/latest/repos', /not a path/],
    ['GET', '//evil.example/rest/api/latest/repos', /not a path/],
  ])('refuses %s %s', (method, path, reason) => {
    const verdict = checkAgentRequest(method, path);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? '' : verdict.reason).toMatch(reason);
  });

  it('names the project and repository of a request, for --allowed-projects', () => {
    expect(checkAgentRequest('GET', `${REPO}/branches`)).toEqual({ allowed: true, project: 'PLAT', repo: 'infra' });
    expect(checkAgentRequest('GET', '/rest/api/latest/projects/PLAT')).toEqual({ allowed: true, project: 'PLAT', repo: undefined });
    expect(checkAgentRequest('GET', '/rest/api/latest/repos')).toEqual({ allowed: true });
  });

  it('describes every entry for the help text', () => {
    expect(describeAllowlist()).toContain('GET  /rest/api/latest/projects/{p}/repos/{r}/archive  (source of a run (streamed))');
  });
});
