/**
 * The worker's two ways to Bitbucket, through the stack's integration (its credentials decrypted only here): the code
 * at a run's commit (SPEC §7.3) and the feedback on the commit and the pull request (SPEC §7.6). Feedback never
 * changes a run's outcome: it is posted beside the run, retried until Bitbucket answers, and its last error is kept
 * on the run.
 */
import type { Readable } from 'node:stream';
import { BitbucketClient } from '../clients/bitbucket';
import { deltaSummary } from '../domain/run-lifecycle';
import type { RunSource } from '../domain/run-work';
import type { FeedbackSink, RunHost, RunReport, SourceProvider } from './host';

export const DEFAULT_MAX_SOURCE_BYTES = 512 * 1024 * 1024;

/** One client per set of credentials, shared by the runs that use them. */
class Clients {
  private readonly clients = new Map<string, BitbucketClient>();
  get(source: Pick<RunSource, 'apiHost' | 'username' | 'accessToken'>): BitbucketClient {
    const key = `${source.apiHost}\n${source.username}\n${source.accessToken}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new BitbucketClient({ baseUrl: source.apiHost, token: source.accessToken, userAgent: 'liftgate-worker' });
      this.clients.set(key, client);
    }
    return client;
  }
}

export class BitbucketSource implements SourceProvider {
  private readonly clients = new Clients();
  constructor(private readonly maxSourceBytes: number = DEFAULT_MAX_SOURCE_BYTES) {}

  async archive(source: RunSource, commit: string, signal: AbortSignal): Promise<Readable> {
    const answer = await this.clients
      .get(source)
      .content.archive(source.projectKey, source.repositorySlug, { commit, format: 'tar.gz', maxBytes: this.maxSourceBytes, signal })
      .catch((error: Error) => {
        throw new Error(sourceProblem(error, source, `${source.projectKey}/${source.repositorySlug} at ${commit}`));
      });
    return answer.body;
  }

  async branchHead(source: RunSource, branch: string, signal: AbortSignal): Promise<string> {
    return this.clients
      .get(source)
      .content.branchHead(source.projectKey, source.repositorySlug, branch, { signal })
      .catch((error: Error) => {
        throw new Error(sourceProblem(error, source, `branch ${branch} of ${source.projectKey}/${source.repositorySlug}`));
      });
  }
}

/** What failed, in the terms a person fixing it needs (SPEC §7.3): not found, the account refused, unreachable, too large. */
function sourceProblem(error: Error, source: RunSource, what: string): string {
  const status = (error as { status?: number }).status;
  if (status === 404) return `${what} was not found in Bitbucket (${source.apiHost})`;
  if (status === 401) return `Bitbucket (${source.apiHost}) refused the integration's credentials for ${source.username} (401)`;
  if (status === 403) return `the integration's account ${source.username} may not read ${what} (403)`;
  return `${what}: ${error.message}`;
}

export interface FeedbackOptions {
  /** Gives up a report after this long (Bitbucket down for good); the last error stays on the run. */
  giveUpAfterMs: number;
  /** The first wait between attempts; doubles up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_FEEDBACK_OPTIONS: FeedbackOptions = { giveUpAfterMs: 15 * 60_000, firstDelayMs: 1000, maxDelayMs: 30_000 };

const ENDED = new Set(['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED']);

/**
 * Posts each run's build status (and, when a PROPOSED run ends, its pull-request comment). Reports of one run go out
 * in order, and a newer one replaces an older one still waiting, so Bitbucket ends up with the run's last state.
 */
export class BitbucketFeedback implements FeedbackSink {
  private readonly clients = new Clients();
  private readonly latest = new Map<string, RunReport>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly host: Pick<RunHost, 'recordFeedback' | 'pullRequestComment' | 'savePullRequestComment'>,
    private readonly options: FeedbackOptions = DEFAULT_FEEDBACK_OPTIONS,
  ) {}

  report(report: RunReport): void {
    if (report.run.source === null || report.commit === '') return;
    const runId = report.run.id;
    const waiting = this.latest.has(runId);
    this.latest.set(runId, report);
    if (waiting) return;
    const chain = (this.chains.get(runId) ?? Promise.resolve()).then(() => this.deliverLatest(runId));
    this.chains.set(runId, chain);
    void chain.finally(() => {
      if (this.chains.get(runId) === chain) this.chains.delete(runId);
    });
  }

  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  private async deliverLatest(runId: string): Promise<void> {
    const report = this.latest.get(runId);
    this.latest.delete(runId);
    if (report === undefined) return;
    const started = Date.now();
    let delay = this.options.firstDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const comments = await this.post(report);
        await this.host.recordFeedback(runId, { buildStatus: report.state, comments, error: null, attempts: attempt, at: new Date().toISOString() }).catch(() => undefined);
        return;
      } catch (error) {
        const message = (error as Error).message;
        await this.host.recordFeedback(runId, { buildStatus: null, error: message, attempts: attempt, at: new Date().toISOString() }).catch(() => undefined);
        // A newer report of this run is waiting: it supersedes this one.
        if (this.latest.has(runId) || Date.now() - started > this.options.giveUpAfterMs) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.options.maxDelayMs);
      }
    }
  }

  private async post(report: RunReport): Promise<number[]> {
    const { run } = report;
    const source = run.source as NonNullable<typeof run.source>;
    const client = this.clients.get(source);
    await client.buildStatuses.report({
      projectKey: source.projectKey,
      repositorySlug: source.repositorySlug,
      commit: report.commit,
      stackId: run.stackId,
      stackName: run.stackName,
      kind: run.kind,
      runState: report.state,
      branch: run.branch,
      url: report.url,
      description: describe(report),
      durationMs: report.durationMs,
    });
    if (run.kind !== 'PROPOSED' || !ENDED.has(report.state)) return [];
    const pullRequests = new Set<number>(run.pullRequestId === null ? [] : [run.pullRequestId]);
    for (const pullRequest of await client.pullRequests.openContaining(source.projectKey, source.repositorySlug, report.commit, run.trackedBranch)) {
      pullRequests.add(pullRequest.id);
    }
    for (const pullRequestId of pullRequests) {
      const place = { stackId: run.stackId, projectKey: source.projectKey, repositorySlug: source.repositorySlug, pullRequestId };
      const existing = await this.host.pullRequestComment(place);
      const comment = await client.pullRequests.upsertComment(source.projectKey, source.repositorySlug, pullRequestId, {
        existing,
        text: commentText(report),
        link: report.url,
      });
      await this.host.savePullRequestComment(place, { id: comment.id, version: comment.version });
    }
    return [...pullRequests];
  }
}

/** The build status's description: the plan summary, or the failure. */
function describe(report: RunReport): string {
  if (report.failure !== null) return report.failure;
  if (report.delta !== null) return `${report.state}: ${deltaSummary(report.delta)}`;
  return report.state;
}

/** The pull-request comment: stack, state, `+add ~change -destroy`, the run's link and the plan in plain fences. */
export function commentText(report: RunReport): string {
  const lines = [
    `**Liftgate · ${report.run.stackName}** (proposed run) — **${report.state}**`,
    '',
    report.delta === null ? 'No plan.' : `Plan: \`${deltaSummary(report.delta)}\` at \`${report.commit.slice(0, 12)}\``,
    '',
    `Run: ${report.url}`,
  ];
  if (report.failure !== null) lines.push('', `Failure: ${report.failure}`);
  if (report.planText !== null) lines.push('', '```', report.planText.replace(/```/g, "'''"), '```');
  return lines.join('\n');
}
