import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { fail, ok, type Result } from './contract';

/**
 * Check that `root` is a folder Pier can serve, and return its absolute path.
 * Each failure has its own message, because "could not start" helps nobody.
 */
export async function checkFolder(root: string): Promise<Result<string>> {
  const absolute = path.resolve(root);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return fail('FOLDER_MISSING', `The folder ${absolute} does not exist. Choose another folder, or create it first.`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return fail('FOLDER_UNREADABLE', `Pier is not allowed to read ${absolute}. Check the folder's permissions.`);
    }
    throw error;
  }
  if (!info.isDirectory()) {
    return fail('NOT_A_FOLDER', `${absolute} is a file, not a folder. Choose the folder that contains it.`);
  }
  try {
    await access(absolute, constants.R_OK | constants.X_OK);
    await readdir(absolute);
  } catch {
    // Any error here means the same thing to the user: we can't list or read it.
    return fail('FOLDER_UNREADABLE', `Pier is not allowed to read ${absolute}. Check the folder's permissions.`);
  }
  return ok(absolute);
}
