import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
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
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(this.snapshot()), { mode: 0o600 });
      await rename(temporary, this.file);
      this.failure = null;
    } catch (error) {
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
