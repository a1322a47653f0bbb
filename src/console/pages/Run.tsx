import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Run } from '../api';
import { LoadState, PageHeading } from '../components/common';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { RunState } from './Stack';

const ENDED = ['FINISHED', 'FAILED', 'DISCARDED', 'CANCELED'];

/**
 * A run's page (SPEC §7.6: the link of its build status and pull-request comment): its state, delta, failure, history,
 * the actions it allows now, and its log, tailed while the run goes on.
 */
export function RunPage({ stackId, runId }: { stackId: string; runId: string }) {
  const api = useApi();
  const loaded = useLoad(() => api.run(stackId, runId), [stackId, runId]);
  const [log, setLog] = useState('');
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const run = loaded.data;

  useEffect(() => {
    let offset = 0;
    let stopped = false;
    const tail = async (): Promise<void> => {
      while (!stopped) {
        const chunk = await api.runLog(stackId, runId, offset).catch(() => null);
        if (chunk !== null && chunk.text !== '') setLog((text) => text + chunk.text);
        if (chunk !== null) offset = chunk.nextOffset;
        if (chunk?.complete === true) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (!stopped) loaded.reload();
      }
    };
    void tail();
    return () => {
      stopped = true;
    };
  }, [stackId, runId]);

  const act = async (action: 'confirm' | 'discard' | 'cancel') => {
    try {
      const moved = await api.runAction(stackId, runId, action);
      setMessage({ text: `The run is ${moved.state}${moved.cancelRequested ? ' (terraform is being interrupted)' : ''}.`, failed: false });
      loaded.reload();
    } catch (error) {
      setMessage({ text: error instanceof ApiError || error instanceof Error ? error.message : String(error), failed: true });
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
              <button type="button" onClick={() => void act('confirm')}>
                Confirm
              </button>
              <button type="button" class="secondary" onClick={() => void act('discard')}>
                Discard
              </button>
            </>
          ) : null}
          {ENDED.includes(run.state) ? null : (
            <button type="button" class="secondary" onClick={() => void act('cancel')}>
              Cancel run
            </button>
          )}
        </div>
      )}
      {message === null ? null : (
        <p role={message.failed ? 'alert' : 'status'} class={message.failed ? 'error' : 'notice success'}>
          {message.text}
        </p>
      )}
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        <pre aria-label="Run log">{log}</pre>
      </section>
    </>
  );
}

function RunFacts({ run }: { run: Run }) {
  return (
    <dl>
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
