import { useState } from 'preact/hooks';

/** Copies a value to the clipboard and says so in a live region next to the button. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus(`Copied the ${what}.`);
    } catch {
      // navigator.clipboard exists only in secure contexts (https, or the console on localhost).
      setStatus(`Could not copy: select the ${what} and copy it yourself.`);
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={() => void copy()}>
        Copy {what}
      </button>
      <span role="status" class="copy-status">
        {status}
      </span>
    </span>
  );
}
