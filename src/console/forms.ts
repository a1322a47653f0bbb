import { useEffect, useState } from 'preact/hooks';
import { ApiError, formProblems, type FormProblems } from './api';
import { fieldId } from './components/Field';

/** Labels as typed: comma-separated, trimmed, empty ones dropped. */
export function parseLabels(text: string): string[] {
  return text
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
}

/** The message of a 403 or 404 about the chosen space (no role on it, or it cannot be read): it belongs at the space field. */
export function spaceProblem(error: unknown, spaceId: string): string | null {
  const aboutSpace = error instanceof ApiError && (error.status === 403 || error.status === 404) && error.message.includes(`space "${spaceId}"`);
  return aboutSpace ? error.message : null;
}

const NO_PROBLEMS: FormProblems = { byField: {}, other: [] };

/**
 * The submit state of a form: busy while the API answers, then its problems placed at `fields`. After a rejected
 * submit, focus moves to the first field with a problem (in `fields` order), or to the error summary.
 */
export function useSubmit(fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (attempt === 0) return;
    const first = fields.find((field) => problems.byField[field] !== undefined);
    const target = first === undefined ? document.querySelector<HTMLElement>('.form-errors') : document.getElementById(fieldId(first));
    if (target !== null && first === undefined) target.tabIndex = -1;
    target?.focus();
  }, [attempt]);

  /** Runs `send`; answers whether it succeeded. `place` may move some problems to fields first (a 409 to the name). */
  async function submit(send: () => Promise<void>, place: (error: unknown, problems: FormProblems) => FormProblems = (_e, p) => p) {
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      await send();
      setBusy(false);
      return true;
    } catch (error) {
      setBusy(false);
      setProblems(place(error, formProblems(error, fields)));
      setAttempt((value) => value + 1);
      return false;
    }
  }

  return { busy, problems, submit };
}
