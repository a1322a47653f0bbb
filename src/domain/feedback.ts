import type { RunKind } from './runs';

/**
 * What Liftgate tells Bitbucket about a run (SPEC §7.6): the build status on the run's commit and the one
 * pull-request comment per stack. Pure rules; the Bitbucket client posts them.
 */

/** Bitbucket refuses a comment longer than this (Java characters, which are JavaScript's UTF-16 units too). */
export const COMMENT_MAX_CHARACTERS = 32_768;
/** Bitbucket's limits on a build status's key, name and description. */
export const BUILD_STATUS_KEY_MAX = 255;
export const BUILD_STATUS_DESCRIPTION_MAX = 255;

export type BuildState = 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'CANCELLED';

function kindName(kind: RunKind): 'tracked' | 'proposed' {
  return kind === 'TRACKED' ? 'tracked' : 'proposed';
}

/** `liftgate/{stackId}/{tracked|proposed}`: stable per stack and kind, never a run id (one red run would stay red). */
export function buildStatusKey(stackId: string, kind: RunKind): string {
  return `liftgate/${stackId}/${kindName(kind)}`;
}

/** `liftgate/{stackId}`: what Bitbucket's "Required builds" merge check matches. */
export function buildStatusParent(stackId: string): string {
  return `liftgate/${stackId}`;
}

/** `Liftgate · {stack name} ({tracked|proposed})`. */
export function buildStatusName(stackName: string, kind: RunKind): string {
  return `Liftgate · ${stackName} (${kindName(kind)})`;
}

/** The build state a run state shows as: in progress until it ends, then its outcome. */
export function buildStateOf(runState: string): BuildState {
  switch (runState) {
    case 'FINISHED':
      return 'SUCCESSFUL';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELED':
    case 'DISCARDED':
      return 'CANCELLED';
    default:
      return 'INPROGRESS';
  }
}

/** A description cut to Bitbucket's 255 characters with an ellipsis. */
export function buildStatusDescription(text: string): string {
  return text.length <= BUILD_STATUS_DESCRIPTION_MAX ? text : `${text.slice(0, BUILD_STATUS_DESCRIPTION_MAX - 1)}…`;
}

/**
 * A comment that fits Bitbucket's 32,768 characters: the text as it is when it fits; otherwise cut at a line
 * break, any open ``` fence closed, and a note with `link` (where the whole text is) appended.
 */
export function fitComment(text: string, link: string, max = COMMENT_MAX_CHARACTERS): string {
  if (text.length <= max) return text;
  const note = `\n\n_The plan is longer than Bitbucket allows in a comment; the rest is at ${link}_`;
  const fence = '\n```';
  const room = max - note.length - fence.length;
  if (room <= 0) throw new RangeError(`a comment of ${max} characters cannot hold the note linking to ${link}`);
  let cut = text.slice(0, room);
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > room / 2) cut = cut.slice(0, lastBreak);
  // Never leave half of a surrogate pair at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const openFences = (cut.match(/^```/gm) ?? []).length;
  return `${cut}${openFences % 2 === 1 ? fence : ''}${note}`;
}
