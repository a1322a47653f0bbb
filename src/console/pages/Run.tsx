import { useEffect, useRef, useState } from 'preact/hooks';
import { isActiveRunState } from '../../domain/run-states';
import { ApiError, type Run } from '../api';
import { LoadState, PageHeading } from '../components/common';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { RunState } from './Stack';

/** How often an active run's log and state are asked for again. */
const TAIL_INTERVAL_MS = 1000;

/**
 * A run's page (SPEC §7.6: the link of its build status and pull-request comment): its state, delta, failure, history,
 * the actions it allows now, and its log, tailed while the run goes on.
 */
export function RunPage({ stackId, runId }: { stackId: string; runId: string }) {
  const api = useApi();
  const loaded = useLoad(() => api.run(stackId, runId), [stackId, runId]);
  const [log, setLog] = useState('');
  /** 'live' while tailing, 'complete' at the end, else why the log cannot be read. */
  const [following, setFollowing] = useState<string>('live');
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const logView = useRef<HTMLPreElement>(null);
  const run = loaded.data;

  // While the log grows, its end stays in view.
  useEffect(() => {
    const view = logView.current;
    if (view !== null && following === 'live') view.scrollTop = view.scrollHeight;
  }, [log]);

  useEffect(() => {
    let offset = 0;
    let stopped = false;
    setLog('');
    setFollowing('live');
    // Tails the log by ?offset= (SPEC §7.7) and reloads the run with it, until the API says the log is complete.
    const tail = async (): Promise<void> => {
      while (!stopped) {
        try {
          const chunk = await api.runLog(stackId, runId, offset);
          if (stopped) return;
          if (chunk.text !== '') setLog((text) => text + chunk.text);
          offset = chunk.nextOffset;
          if (chunk.complete) {
            setFollowing('complete');
            loaded.reload();
            return;
          }
        } catch (error) {
          // A run that is not there (or a key that may not see it) will not start logging: stop asking.
          if (error instanceof ApiError && (error.status === 404 || error.status === 401 || error.status === 403)) {
            if (!stopped) setFollowing(error.message);
            return;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, TAIL_INTERVAL_MS));
        if (!stopped) loaded.reload();
      }
    };
    void tail();
    return () => {
      stopped = true;
    };
  }, [stackId, runId]);

  const act = async (action: 'confirm' | 'discard' | 'cancel') => {
    setBusy(true);
    setMessage(null);
    try {
      const moved = await api.runAction(stackId, runId, action);
      setMessage({ text: `The run is ${moved.state}${moved.cancelRequested ? ' (terraform is being interrupted)' : ''}.`, failed: false });
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), failed: true });
    } finally {
      setBusy(false);
      loaded.reload();
    }
  };

  return (
    <>
      <PageHeading>Run {runId.slice(0, 8)}</PageHeading>
      <p>
        <Link href={`/stacks/${encodeURIComponent(stackId)}`}>Back to the stack</Link>
      </p>
      <LoadState loaded={loaded} what="the run" />
      {run === undefined ? null : <RunFacts run={run} />}
      {run === undefined ? null : (
        <div class="actions start">
          {run.state === 'UNCONFIRMED' ? (
            <>
              <button type="button" disabled={busy} onClick={() => void act('confirm')}>
                Confirm
              </button>
              <button type="button" class="secondary" disabled={busy} onClick={() => void act('discard')}>
                Discard
              </button>
            </>
          ) : null}
          {isActiveRunState(run.state) ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => void act('cancel')}>
              Cancel run
            </button>
          ) : null}
        </div>
      )}
      {message === null ? null : (
        <p role={message.failed ? 'alert' : 'status'} class={message.failed ? 'error' : 'notice success'}>
          {message.text}
        </p>
      )}
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        <p role="status" class="hint">
          {following === 'live' ? 'Following the log while the run goes on…' : following === 'complete' ? 'The log is complete.' : `The log is not available: ${following}`}
        </p>
        <pre aria-label="Run log" class="run-log" ref={logView} tabIndex={0}>{log}</pre>
      </section>
    </>
  );
}

function RunFacts({ run }: { run: Run }) {
  return (
    <dl class="facts">
      <dt>State</dt>
      <dd>
        <RunState state={run.state} />
      </dd>
      <dt>Kind</dt>
      <dd>{run.kind}</dd>
      <dt>Commit</dt>
      <dd>{run.commit === null ? <span class="muted">branch head</span> : <code>{run.commit}</code>} on {run.branch}</dd>
      <dt>Changes</dt>
      <dd>{run.delta === null ? <span class="muted">not planned yet</span> : `+${run.delta.add} ~${run.delta.change} -${run.delta.destroy}`}</dd>
      {run.failure === null ? null : (
        <>
          <dt>Failure</dt>
          <dd>{run.failure}</dd>
        </>
      )}
      <dt>History</dt>
      <dd>
        <ol>
          {run.history.map((entry) => (
            <li key={`${entry.state}-${entry.at}`}>
              {entry.state} <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
              {entry.note === null ? null : <span class="muted"> · {entry.note}</span>}
            </li>
          ))}
        </ol>
      </dd>
    </dl>
  );
}
