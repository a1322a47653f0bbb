import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `directory`, at any depth. */
export function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = join(directory, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
