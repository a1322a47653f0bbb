import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api';
import type { Loaded } from '../hooks';
import { useRouter } from '../router';

/**
 * The page's h1. After a navigation inside the console it takes focus, so keyboard and screen-reader users start
 * at the top of the new page (a page the browser loaded starts at the skip link, as any page does).
 */
export function PageHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { location } = useRouter();
  useEffect(() => {
    if (location.navigated) ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** "Loading …" while the first answer is awaited, the error when it failed; null once there is data. */
export function LoadState({ loaded, what }: { loaded: Pick<Loaded<unknown>, 'data' | 'error' | 'loading'>; what: string }) {
  if (loaded.error !== undefined) {
    return (
      <p role="alert" class="error">
        Could not load {what}: {loaded.error.message}
      </p>
    );
  }
  if (loaded.data === undefined) {
    return (
      <p role="status" class="loading">
        Loading {what}…
      </p>
    );
  }
  return null;
}

export function Badge({ tone, children }: { tone: 'neutral' | 'info' | 'warning' | 'success'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export function Labels({ labels }: { labels: string[] }) {
  if (labels.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="labels">
      {labels.map((label) => (
        <li key={label}>{label}</li>
      ))}
    </ul>
  );
}

/** The problems of a rejected form that belong to no field, and a pointer to those that do. */
export function FormErrors({ other, fieldCount, what }: { other: string[]; fieldCount: number; what: string }) {
  if (other.length === 0 && fieldCount === 0) return null;
  return (
    <div role="alert" class="form-errors">
      <p>
        {what} {fieldCount > 0 ? `Fix the ${fieldCount === 1 ? 'field' : `${fieldCount} fields`} marked below.` : ''}
      </p>
      {other.length === 0 ? null : (
        <ul>
          {other.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Why the key may not do something, from a 403's details (the role, the space and the key's name): the API's
 * visibility is the console's, and it says what is missing where. `to` completes "To …" ("see the delivery log").
 */
export function MissingRole({ error, spaceName, to }: { error: ApiError; spaceName: (id: string) => string; to: string }) {
  const role = typeof error.details.role === 'string' ? error.details.role : 'admin';
  const spaceId = typeof error.details.spaceId === 'string' ? error.details.spaceId : null;
  const keyName = typeof error.details.apiKeyName === 'string' ? error.details.apiKeyName : null;
  return (
    <p role="alert" class="notice warning">
      To {to}, an API key needs the <strong>{role}</strong> role on space{' '}
      <strong>{spaceId === null ? 'unknown' : spaceName(spaceId)}</strong>
      {spaceId === null ? '' : ` (${spaceId})`}. {keyName === null ? 'This API key' : <>The API key “{keyName}”</>} does not have it.
    </p>
  );
}

/** True for a 403 that says which role on which space is missing. */
export function isMissingRole(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 403 && typeof error.details.spaceId === 'string';
}

/** A table in a region that scrolls sideways on narrow windows (and with the keyboard, being focusable). */
export function TableRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-region" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
