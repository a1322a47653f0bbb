import { useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api';
import { fieldId, TextField } from '../components/Field';

/**
 * Sign-in with an API key. The key is checked with one read before it is kept (for this tab only); after sign-in
 * the console shows the page whose address was opened, so a link into the console survives the sign-in.
 */
export function SignInPage({ onSignIn, message }: { onSignIn: (key: string) => void; message: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Sign in · Liftgate';
    // The key field has focus on arrival (the autofocus attribute is not honoured for elements added by script).
    document.getElementById(fieldId('apiKey'))?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = key.trim();
    if (candidate === '') {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await new ApiClient(candidate, () => undefined).listSpaces();
      onSignIn(candidate);
    } catch (failure) {
      setBusy(false);
      setError(
        failure instanceof ApiError && failure.status === 401
          ? `The control plane does not accept this API key (${failure.message}).`
          : `Could not reach the control plane: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Liftgate</h1>
      {message === null ? null : (
        <p role="status" class="notice">
          {message}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          name="apiKey"
          label="API key"
          type="password"
          required
          value={key}
          onInput={setKey}
          error={error}
          hint={
            <>
              Kept for this browser tab only and forgotten on sign-out. The first start of <code>liftgate serve</code> writes
              the root-admin key to <code>.liftgate/admin.key</code>.
            </>
          }
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
