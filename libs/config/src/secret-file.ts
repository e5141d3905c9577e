import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** A secret file that cannot be used as it is; the message names the file and what to do. */
export class SecretFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/**
 * The secret kept in `file`; the first call creates it: `bytes` random bytes in base64url, mode
 * 0600. Creation is atomic (a complete temporary file hard-linked into place), so processes
 * starting together on one data directory all end up with the same secret. A file that group or
 * others may access, or that holds fewer than `minLength` characters, is refused.
 */
export function readOrCreateSecretFile(file: string, options: { bytes: number; minLength: number }): string {
  if (!exists(file)) create(file, randomBytes(options.bytes).toString('base64url'));
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    const octal = mode.toString(8).padStart(4, '0');
    throw new SecretFileError(
      file,
      `${file}: tệp bí mật mà nhóm hoặc người dùng khác truy cập được (quyền ${octal}); chạy chmod 600 ${file}, hoặc xoá tệp để tạo bí mật mới / the secret file is accessible to group or others (mode ${octal}): chmod 600 it, or delete it to generate a new secret`,
    );
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < options.minLength) {
    throw new SecretFileError(
      file,
      `${file}: bí mật quá ngắn (${secret.length} ký tự, cần ít nhất ${options.minLength}); xoá tệp để tạo bí mật mới / the secret is too short (${secret.length} characters, at least ${options.minLength}): delete the file to generate a new one`,
    );
  }
  return secret;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SecretFileError(
      file,
      `${file}: không đọc được tệp bí mật (${(error as NodeJS.ErrnoException).code}) / cannot read the secret file (${(error as Error).message})`,
    );
  }
}

function create(file: string, secret: string): void {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${secret}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkIfAbsent(temporary, file);
  } catch (error) {
    throw new SecretFileError(
      file,
      `${file}: không tạo được tệp bí mật (${(error as NodeJS.ErrnoException).code}) / cannot create the secret file (${(error as Error).message})`,
    );
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created (mkdir or open failed).
    }
  }
}

// link() fails when the name exists: a process that lost the race reads the winner's secret.
function linkIfAbsent(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
