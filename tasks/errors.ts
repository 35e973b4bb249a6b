/**
 * An error a person can act on: which field (when there is one) and what is wrong. The app shows
 * `message` next to `field`; the CLI prints it as one line and exits with status 2.
 */
export class UserInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly code: string = 'invalid',
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

/** First issue of a zod error as "field: message", the shape every boundary reports. */
export function describeZodIssue(issue: { path: PropertyKey[]; message: string }): {
  field?: string;
  message: string;
} {
  // array positions (roles.0) name the list, which is what a form or flag calls the field
  const field =
    issue.path
      .filter((p) => typeof p !== 'number')
      .map(String)
      .join('.') || undefined;
  return { field, message: issue.message };
}

/**
 * Throws a not-found UserInputError unless `value` is a UUID: an id from a form or a URL that is
 * not one names nothing, and must not reach the database as a malformed parameter (a 500).
 */
export function requireId(value: unknown, field: string, what: string): string {
  if (
    typeof value === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  )
    return value;
  throw new UserInputError(`No such ${what}.`, field, 'not-found');
}
