import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

import { fail, ok, type PierError, type Result } from './contract';

/**
 * Check that `root` is a folder Pier can serve, and return its absolute path.
 * Each failure has its own message, because "could not start" helps nobody.
 * Never throws: whatever the file system says comes back as a value, so one
 * saved server on a broken disk cannot stop Pier (or its other servers) starting.
 */
export async function checkFolder(root: string): Promise<Result<string>> {
  const absolute = path.resolve(root);
  let info;
  try {
    info = await fs.stat(absolute);
  } catch (error) {
    return folderFailure(absolute, error);
  }
  if (!info.isDirectory()) {
    return fail('NOT_A_FOLDER', `${absolute} is a file, not a folder. Choose the folder that contains it.`);
  }
  try {
    await fs.access(absolute, constants.R_OK | constants.X_OK);
    await fs.readdir(absolute);
  } catch (error) {
    // The folder was there a moment ago: if it is gone now, that is still "can't read it".
    const code = errorCode(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? unreadable(absolute) : folderFailure(absolute, error);
  }
  return ok(absolute);
}

/** The value for a file system error met while looking at the folder `absolute`. */
function folderFailure(absolute: string, error: unknown): { ok: false } & PierError {
  const code = errorCode(error);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return fail('FOLDER_MISSING', `The folder ${absolute} does not exist. Choose another folder, or create it first.`);
    case 'EACCES':
    case 'EPERM':
      return unreadable(absolute);
    case 'ELOOP':
      return fail(
        'FOLDER_UNREADABLE',
        `The path ${absolute} loops through symbolic links (a link that leads back to itself). Fix the links or choose another folder.`,
      );
    case 'EIO':
      return fail(
        'FOLDER_UNREADABLE',
        `The disk reported an error while Pier read ${absolute}. Check that the disk or network drive is connected and working.`,
      );
    case 'ENAMETOOLONG':
      return fail('FOLDER_UNREADABLE', `The path ${absolute} is too long for this system. Choose a folder with a shorter path.`);
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return fail('FOLDER_UNREADABLE', `Pier could not open ${absolute} (${code ?? 'unknown error'}: ${detail}).`);
    }
  }
}

function unreadable(absolute: string): { ok: false } & PierError {
  return fail('FOLDER_UNREADABLE', `Pier is not allowed to read ${absolute}. Check the folder's permissions.`);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
