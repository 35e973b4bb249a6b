import { json } from '@remix-run/node';
import { UserInputError } from '../../tasks/errors';

export interface ActionErrors {
  ok: false;
  /** message per form field name */
  fieldErrors: Record<string, string>;
  /** a message that belongs to no single field */
  formError?: string;
}

/** A field-level error as the action's response (status 400), for display next to the field. */
export function invalid(field: string | undefined, message: string, status = 400) {
  return json<ActionErrors>(
    field
      ? { ok: false, fieldErrors: { [field]: message } }
      : { ok: false, fieldErrors: {}, formError: message },
    { status },
  );
}

/** Converts a UserInputError into a 400 response; anything else is rethrown (a real 500). */
export function userErrorResponse(error: unknown, fieldMap: Record<string, string> = {}) {
  if (error instanceof UserInputError) {
    const field = error.field ? (fieldMap[error.field] ?? error.field) : undefined;
    return invalid(field, error.message, error.code === 'not-found' ? 404 : 400);
  }
  throw error;
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
