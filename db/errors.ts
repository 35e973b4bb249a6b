/**
 * Turns the ways a database can fail to open into one line a person can act on,
 * instead of a driver stack trace.
 */
export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly code: 'bad-url' | 'unreachable' | 'auth' | 'no-database' | 'busy' | 'corrupt' | 'other',
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, so messages never leak passwords. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
  errors?: PgLikeError[];
}

/** Maps a pg connection error to a DatabaseOpenError with a one-line message. */
export function describePostgresError(error: unknown, url: string): DatabaseOpenError {
  const err = (error ?? {}) as PgLikeError;
  // pg reports an AggregateError when both the IPv4 and IPv6 address refuse
  const code = err.code ?? err.errors?.[0]?.code;
  const where = describeTarget(url);
  switch (code) {
    case 'ECONNREFUSED':
      return new DatabaseOpenError(
        `Cannot reach PostgreSQL at ${where}: connection refused. Is the server running? (DATABASE_URL=${redactUrl(url)})`,
        'unreachable',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseOpenError(
        `Cannot resolve the PostgreSQL host in DATABASE_URL (${where}).`,
        'unreachable',
      );
    case 'ETIMEDOUT':
      return new DatabaseOpenError(`Timed out connecting to PostgreSQL at ${where}.`, 'unreachable');
    case '28P01':
    case '28000':
      return new DatabaseOpenError(
        `PostgreSQL at ${where} refused the login: ${firstLine(err.message)}. Check the user and password in DATABASE_URL.`,
        'auth',
      );
    case '3D000':
      return new DatabaseOpenError(
        `PostgreSQL at ${where} has no database "${databaseName(url)}". Create it first: createdb ${databaseName(url)}`,
        'no-database',
      );
    default:
      return new DatabaseOpenError(
        `Cannot open PostgreSQL at ${where}: ${firstLine(err.message) || String(error)}`,
        'other',
      );
  }
}

function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return '(unparseable URL)';
  }
}

function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  } catch {
    return '?';
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]?.trim() ?? '';
}
