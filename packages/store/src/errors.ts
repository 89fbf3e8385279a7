import { PackError } from '@tx2/pack-format';

/** Wraps a Node.js I/O failure in a PackError('Io') that names the operation and path. */
export function ioError(action: string, path: string, cause: unknown): PackError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const hint =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? ': the store directory is not writable; check its permissions'
      : code === 'ENOSPC'
        ? ': the disk is full; free some space and save again'
        : '';
  return new PackError('Io', `could not ${action} ${path}${code ? ` (${code})` : ''}${hint}`, { cause, details: { path, errno: code } });
}
