/**
 * What a worker needs from outside itself, as interfaces: the control plane's run queue (server/runs/host.ts
 * implements it over the store; the worker never runs SQL), the repository's code at a commit (through the stack's
 * integration), and feedback to Bitbucket. The commands wire the real ones together.
 */
import type { Readable } from 'node:stream';
import type { RunDelta } from '../domain/run-lifecycle';
import type { RunState } from '../domain/run-states';
import type { ClaimedRun, EndedRun, HeldRunMove, RunSettings, RunSource } from '../domain/run-work';

export interface RunHost {
  claim(workerId: string, leaseMs: number): Promise<ClaimedRun | null>;
  renewLease(runId: string, workerId: string, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }>;
  move(move: HeldRunMove): Promise<boolean>;
  appendLog(runId: string, workerId: string, content: Uint8Array): Promise<boolean>;
  settings(run: Pick<ClaimedRun, 'id' | 'stackId' | 'manageState'>): Promise<RunSettings>;
  currentStateSerial(stackId: string): Promise<{ serial: number; lineage: string } | null>;
  releaseRun(runId: string): Promise<void>;
  sweepLostRuns(): Promise<EndedRun[]>;
  recordFeedback(runId: string, feedback: Record<string, unknown>): Promise<void>;
  pullRequestComment(place: CommentPlace): Promise<{ id: number; version: number } | null>;
  savePullRequestComment(place: CommentPlace, comment: { id: number; version: number }): Promise<void>;
  runPageUrl(stackId: string, runId: string): string;
}

/** Where a stack's comment on a pull request lives. */
export interface CommentPlace {
  stackId: string;
  projectKey: string;
  repositorySlug: string;
  pullRequestId: number;
}

/** A repository's code through the stack's integration. */
export interface SourceProvider {
  /** The repository at `commit` as a gzipped tar stream (Bitbucket's archive endpoint). */
  archive(source: RunSource, commit: string, signal: AbortSignal): Promise<Readable>;
  /** The commit a branch points at now (a manual run that names no commit). */
  branchHead(source: RunSource, branch: string, signal: AbortSignal): Promise<string>;
}

/** Where a run stands, as Bitbucket is told. */
export interface RunReport {
  run: ClaimedRun;
  /** The commit the run executes (a manual run's resolved head). */
  commit: string;
  state: RunState;
  delta: RunDelta | null;
  failure: string | null;
  /** The plan as terraform printed it (secrets masked), for the pull-request comment. */
  planText: string | null;
  /** Since the run started executing. */
  durationMs: number;
  url: string;
}

/** Feedback to Bitbucket: never changes a run's outcome; failures are retried and recorded by the implementation. */
export interface FeedbackSink {
  report(report: RunReport): void;
  /** Resolves once every report given so far was delivered or given up on. */
  settled(): Promise<void>;
}
