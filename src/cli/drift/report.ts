/** How a drift report is shown: a table for people, or the report itself as JSON for programs. */
import type { DriftReport, RepositoryReference } from './check';
import type { WebhookReference } from './compare';

const NONE = '-';

export function formatReportJson(report: DriftReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * One row per finding (stack, project/repo, webhook, kind of drift, detail), then skipped stacks and failed checks.
 * Stacks are shown by id: names are not unique (two spaces may each have a "network"), ids are, and contain the name.
 */
export function formatReportTable(report: DriftReport): string {
  const sections: string[] = [];
  if (report.findings.length > 0) {
    sections.push(
      table(
        ['STACK', 'PROJECT/REPO', 'WEBHOOK', 'DRIFT', 'DETAIL'],
        report.findings.map((finding) => [
          finding.stack?.id ?? `(integration ${finding.integration.id})`,
          repositoryText(finding.repository),
          webhookText(finding.webhook),
          finding.kind,
          finding.detail,
        ]),
      ),
    );
  }
  if (report.errors.length > 0) {
    sections.push(
      `Not checked (errors):\n${table(
        ['STACK', 'PROJECT/REPO', 'INTEGRATION', 'ERROR'],
        report.errors.map((failure) => [
          failure.stack?.id ?? NONE,
          repositoryText(failure.repository),
          failure.integration?.id ?? NONE,
          failure.message,
        ]),
      )}`,
    );
  }
  if (report.skipped.length > 0) {
    sections.push(
      `Skipped:\n${table(
        ['STACK', 'PROJECT/REPO', 'INTEGRATION', 'REASON'],
        report.skipped.map((entry) => [entry.stack.id, repositoryText(entry.repository), entry.integration?.id ?? NONE, entry.reason]),
      )}`,
    );
  }
  sections.push(summaryLine(report));
  return `${sections.join('\n\n')}\n`;
}

function summaryLine(report: DriftReport): string {
  const { summary } = report;
  const scope = `${summary.repositories} ${plural(summary.repositories, 'repository', 'repositories')} of ${summary.stacks} ${plural(summary.stacks, 'stack', 'stacks')}`;
  const verdict =
    report.status === 'clean'
      ? `No drift in ${scope}`
      : report.status === 'drift'
        ? `Drift: ${summary.findings} ${plural(summary.findings, 'finding', 'findings')} in ${scope}`
        : `Incomplete: ${summary.errors} ${plural(summary.errors, 'check', 'checks')} failed; ${summary.findings} ${plural(summary.findings, 'finding', 'findings')} in ${scope}`;
  const extras = [
    summary.skipped > 0 ? `${summary.skipped} skipped` : undefined,
    `${summary.bitbucketRequests} Bitbucket ${plural(summary.bitbucketRequests, 'request', 'requests')}`,
    summary.rateLimitedResponses > 0 ? `${summary.rateLimitedResponses} rate-limited and retried` : undefined,
    `${(summary.durationMs / 1000).toFixed(1)} s`,
  ].filter((part): part is string => part !== undefined);
  return `${verdict} (${extras.join(', ')}).`;
}

function repositoryText(repository: RepositoryReference | null): string {
  return repository === null ? NONE : `${repository.projectKey}/${repository.repositorySlug}`;
}

function webhookText(webhook: WebhookReference | null): string {
  if (webhook === null) return NONE;
  return `#${webhook.id} ${webhook.name}${webhook.scope === 'project' ? ' (project)' : ''}`;
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

/** Left-aligned columns; the last column is not padded (details are long and vary). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
