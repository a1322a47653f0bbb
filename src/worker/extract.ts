/**
 * Safe extraction of a run's source archive (after npm's pacote and node-tar's security notes): only regular files
 * and directories, no path that is absolute or climbs out with `..`, no links of any kind (symbolic or hard links are
 * how every past tar escape worked), caps on entries and bytes. A hostile entry fails the whole extraction; nothing
 * is ever written outside the target directory, which the caller creates fresh (mkdtemp) so nobody else controls it.
 */
import type { Stats } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as extractTar, type ReadEntry } from 'tar';

export interface ExtractLimits {
  /** The most bytes of file content the archive may hold once unpacked. */
  maxBytes: number;
  /** The most entries (files and directories). */
  maxEntries: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBytes: 2 * 1024 * 1024 * 1024, maxEntries: 100_000 };

/** An archive that must not be extracted: the run fails with this message. */
export class UnsafeArchiveError extends Error {}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why an entry is refused, or null when it may be written. */
export function entryProblem(entry: { path: string; type: string }): string | null {
  const path = entry.path;
  if (!FILE_TYPES.has(entry.type)) {
    return entry.type === 'SymbolicLink' || entry.type === 'Link'
      ? `"${path}" is a ${entry.type === 'Link' ? 'hard' : 'symbolic'} link; archives with links are refused (a link could point out of the run directory)`
      : `"${path}" is a ${entry.type} entry; only files and directories are extracted`;
  }
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) return `"${path}" is an absolute path`;
  if (path.split(/[\\/]/).includes('..')) return `"${path}" climbs out of the run directory with ".."`;
  if (path.includes('\0')) return `"${path}" contains a NUL byte`;
  return null;
}

/** Extracts a gzipped tar stream into `target` (an empty directory), or throws UnsafeArchiveError naming the first bad entry. */
export async function extractArchive(archive: Readable, target: string, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<{ files: number; bytes: number }> {
  let problem: string | null = null;
  let entries = 0;
  let bytes = 0;
  const refuse = (reason: string): false => {
    problem ??= reason;
    return false;
  };
  const unpack = extractTar({
    cwd: target,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    // Files get the mode the umask allows, never setuid bits or another owner's permissions from the archive.
    noChmod: true,
    filter: (path: string, stats: ReadEntry | Stats) => {
      if (problem !== null) return false;
      const entry = stats as ReadEntry;
      const reason = entryProblem({ path: entry.path ?? path, type: entry.type ?? 'File' });
      if (reason !== null) return refuse(reason);
      entries += 1;
      bytes += entry.size ?? 0;
      if (entries > limits.maxEntries) return refuse(`the archive has more than ${limits.maxEntries} entries`);
      if (bytes > limits.maxBytes) return refuse(`the archive unpacks to more than ${limits.maxBytes} bytes`);
      return true;
    },
  });
  try {
    await pipeline(archive, unpack);
  } catch (error) {
    if (problem !== null) throw new UnsafeArchiveError(`the source archive is refused: ${problem}`);
    throw new UnsafeArchiveError(`the source archive cannot be extracted: ${(error as Error).message}`);
  }
  if (problem !== null) throw new UnsafeArchiveError(`the source archive is refused: ${problem}`);
  return { files: entries, bytes };
}
