import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

/**
 * A modal dialog on the native `<dialog>`: the browser keeps focus inside it, closes it on Escape and gives focus
 * back to what had it before (the menu button that opened it).
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    dialog.showModal();
    return () => dialog.close();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** A confirmation dialog's end: the API's refusal when there was one, Cancel, and the dangerous action. */
export function DangerActions(props: { error: string | null; busy: boolean; disabled?: boolean; onClose: () => void; onConfirm: () => void; label: string; busyLabel: string }) {
  return (
    <>
      {props.error === null ? null : (
        <p role="alert" class="error">
          {props.error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={props.busy || props.disabled === true} onClick={props.onConfirm}>
          {props.busy ? props.busyLabel : props.label}
        </button>
      </div>
    </>
  );
}
