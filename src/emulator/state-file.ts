import { randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { EmulatorState } from './model';

/** Reads a saved state; null when the file does not exist yet. A corrupt file is an error, never silently dropped. */
export function loadState(file: string): EmulatorState | null {
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`the emulator state file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const state = parsed as Partial<EmulatorState>;
  if (
    typeof state !== 'object' ||
    state === null ||
    state.version !== 1 ||
    typeof state.nextId !== 'number' ||
    ![state.users, state.projects, state.repositories, state.webhooks, state.tokens, state.pullRequests, state.invocations].every(Array.isArray)
  ) {
    throw new Error(`the emulator state file ${file} is not an emulator state (version 1)`);
  }
  return state as EmulatorState;
}

/**
 * Saves the state after changes without slowing requests down: changes within one tick are written once,
 * atomically (temporary file + rename), readable only by the owner because it holds webhook secrets.
 *
 * The temporary file has an unpredictable name and is created exclusively without following links
 * (O_CREAT | O_EXCL | O_NOFOLLOW), so a link planted beside the state file cannot redirect the write to another
 * file; rename() then replaces the state file itself, also when that is a link (the link's target is untouched).
 */
export class StateSaver {
  private pending: NodeJS.Immediate | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** The last failed save; reported by flush() so a broken state file never goes unnoticed. */
  private failure: Error | null = null;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => EmulatorState,
  ) {}

  schedule(): void {
    if (this.pending !== null) return;
    this.pending = setImmediate(() => {
      this.pending = null;
      this.writing = this.writing.then(() => this.write());
    });
  }

  private async write(): Promise<void> {
    const temporary = `${this.file}.${randomBytes(8).toString('hex')}.tmp`;
    let created = false;
    try {
      const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      created = true;
      try {
        await handle.writeFile(JSON.stringify(this.snapshot()));
      } finally {
        await handle.close();
      }
      await rename(temporary, this.file);
      this.failure = null;
    } catch (error) {
      if (created) await rm(temporary, { force: true });
      this.failure = new Error(`could not save the emulator state to ${this.file}: ${(error as Error).message}`);
    }
  }

  /** Writes any scheduled change now and waits for it (used on shutdown). */
  async flush(): Promise<void> {
    if (this.pending !== null) {
      clearImmediate(this.pending);
      this.pending = null;
      this.writing = this.writing.then(() => this.write());
    }
    await this.writing;
    if (this.failure !== null) throw this.failure;
  }
}
