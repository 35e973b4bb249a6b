import { json } from '@remix-run/node';
import { UserInputError } from '../../tasks/errors';

export interface ActionErrors {
  ok: false;
  /** message per form field name */
  fieldErrors: Record<string, string>;
  /** a message that belongs to no single field */
  formError?: string;
}

/**
 * A field-level error as the action's response (status 400), for display next to the field.
 * `extra` rides along (e.g. which of a page's forms was sent).
 */
export function invalid(field: string | undefined, message: string, status = 400, extra: object = {}) {
  return json<ActionErrors>(
    field
      ? { ...extra, ok: false, fieldErrors: { [field]: message } }
      : { ...extra, ok: false, fieldErrors: {}, formError: message },
    { status },
  );
}

/**
 * Converts a UserInputError into a 400 response (404 for not-found, 403 for forbidden); anything
 * else is rethrown (a real 500).
 */
export function userErrorResponse(error: unknown, fieldMap: Record<string, string> = {}, extra: object = {}) {
  if (error instanceof UserInputError) {
    const field = error.field ? (fieldMap[error.field] ?? error.field) : undefined;
    const status = error.code === 'not-found' ? 404 : error.code === 'forbidden' ? 403 : 400;
    return invalid(field, error.message, status, extra);
  }
  throw error;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * The request's form fields. A body that is not a form (another Content-Type, or none) is refused
 * with a thrown 415, one the parser cannot read (a broken multipart body) or with a NUL in a field
 * with a thrown 400, each with a message: all are the client's mistake, but `request.formData()`
 * alone throws a TypeError and a NUL fails the insert, both of which came back as a 500 (found by
 * fuzzing).
 */
export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type))
    throw invalid(
      undefined,
      'Send the form as application/x-www-form-urlencoded or multipart/form-data.',
      415,
    );
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    if (error instanceof TypeError)
      throw invalid(undefined, 'The form could not be read: its body is malformed.');
    throw error;
  }
  // no field a person types holds a NUL, and no database column can store one
  for (const [name, value] of form)
    if (name.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000')))
      throw invalid(
        undefined,
        `The field "${name.replaceAll('\u0000', '\\0')}" contains a NUL character; remove it.`,
      );
  return form;
}

export function formString(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function formList(form: FormData, name: string): string[] {
  return form.getAll(name).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/** "en, de  fr" → ["en", "de", "fr"] for comma- or space-separated code lists. */
export function splitCodes(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter(Boolean);
}
