import type { DriftFinding, DriftReport } from '../../src/cli/drift/check';
import { formatReportTable } from '../../src/cli/drift/report';

const integration = { id: 'main', name: 'Main', apiHost: 'https://bitbucket.example.com' };
const finding = (stack: DriftFinding['stack']): DriftFinding => ({
  kind: 'missing-webhook',
  stack,
  integration,
  repository: { projectKey: 'PLAT', repositorySlug: 'network' },
  webhook: null,
  detail: 'no webhook of the repository or its project delivers to https://liftgate.example.com/webhooks/bitbucket-datacenter/main',
});

function report(findings: DriftFinding[]): DriftReport {
  return {
    status: 'drift',
    checkedAt: '2025-01-01T00:00:00.000Z',
    since: '2024-12-31T00:00:00.000Z',
    summary: { stacks: 2, repositories: 1, findings: findings.length, skipped: 0, errors: 0, bitbucketRequests: 2, rateLimitedResponses: 0, durationMs: 100 },
    findings,
    skipped: [],
    errors: [],
  };
}

describe('the drift table', () => {
  it('tells apart stacks of the same name (in different spaces) by their ids', () => {
    const table = formatReportTable(
      report([finding({ id: 'network-1a2b3c', name: 'network', spaceId: 'team-a-111111' }), finding({ id: 'network-4d5e6f', name: 'network', spaceId: 'team-b-222222' })]),
    );
    const rows = table.split('\n').slice(1, 3);
    expect(rows[0]).toMatch(/^network-1a2b3c\s+PLAT\/network\s+-\s+missing-webhook\s+no webhook/);
    expect(rows[1]).toMatch(/^network-4d5e6f\s+PLAT\/network\s+-\s+missing-webhook\s+no webhook/);
    expect(rows[0]).not.toBe(rows[1]);
  });
});
