import {
  canonicalProjectKey,
  canonicalProjectKeyProblem,
  canonicalRepositorySlugProblem,
  loggableEventKey,
  loggableRequestId,
  projectKeyProblem,
  repositoryKey,
  repositorySlugProblem,
} from '../../src/domain/bitbucket-names';

describe('Bitbucket names', () => {
  it('knows project keys and repository slugs', () => {
    for (const key of ['PLAT', 'p_1', '~jdoe', '~j.doe@corp']) expect([key, projectKeyProblem(key)]).toEqual([key, null]);
    for (const key of ['', '1PLAT', 'PL-AT', '<script>', 'A'.repeat(129)]) expect(projectKeyProblem(key)).toMatch(/^must be a Bitbucket project key: /);
    for (const slug of ['network', 'net.work_2-x', 'Network']) expect([slug, repositorySlugProblem(slug)]).toEqual([slug, null]);
    for (const slug of ['', 'a b', '<script>alert(1)</script>', 'x'.repeat(129)]) {
      expect(repositorySlugProblem(slug)).toMatch(/^must be a Bitbucket repository slug: /);
    }
  });

  it('knows how Bitbucket spells them: keys upper case, personal projects and slugs lower case', () => {
    expect(['plat', 'Plat_1', '~JDoe'].map(canonicalProjectKey)).toEqual(['PLAT', 'PLAT_1', '~jdoe']);
    for (const key of ['PLAT', 'P_1', '~jdoe']) expect([key, canonicalProjectKeyProblem(key)]).toEqual([key, null]);
    for (const key of ['plat', 'Plat', '~JDoe', '1PLAT']) expect(canonicalProjectKeyProblem(key)).toMatch(/as Bitbucket shows it/);
    expect(canonicalRepositorySlugProblem('network')).toBeNull();
    expect(canonicalRepositorySlugProblem('Network')).toMatch(/as it appears in the repository URL/);
  });

  it('gives every spelling of one repository the same key', () => {
    expect(repositoryKey('plat', 'Network')).toBe(repositoryKey('PLAT', 'network'));
    expect(repositoryKey('PLAT', 'network')).not.toBe(repositoryKey('PLAT', 'network-2'));
  });
});

describe('what the delivery log keeps of unverified headers', () => {
  it('keeps request ids and event keys shaped like Bitbucket sends them', () => {
    expect(loggableRequestId('3f0b4a2e-8f1c-4d6a-9c1e-5b7d2f8a9e10')).toBe('3f0b4a2e-8f1c-4d6a-9c1e-5b7d2f8a9e10');
    expect(loggableEventKey('pr:reviewer:approved')).toBe('pr:reviewer:approved');
    expect(loggableEventKey('mirror:repo_synchronized')).toBe('mirror:repo_synchronized');
    expect(loggableRequestId(null)).toBeNull();
  });

  it('cuts them to their limits', () => {
    expect(loggableRequestId('a'.repeat(10_000))).toBe('a'.repeat(255));
    expect(loggableEventKey(`repo:${'x'.repeat(10_000)}`)).toHaveLength(128);
  });

  it('keeps nothing of markup, spaces or control characters', () => {
    for (const value of ['<script>alert(1)</script>', 'a b', 'id\u0000', 'repo:refs changed', '"quoted"']) {
      expect([value, loggableRequestId(value), loggableEventKey(value)]).toEqual([value, null, null]);
    }
  });
});
