/**
 * The labeling form's schema, shared by the browser (instant feedback) and the server (the rule).
 * Zod only: this module must stay importable from browser code.
 */
import { z } from 'zod';

export const SubmitLabelSchema = z.object({
  labelId: z.uuid({ error: 'This form is out of date; reload the page.' }),
  assignmentId: z.uuid({ error: 'Unknown item; reload the page.' }),
  label: z.string({ error: 'Choose a sentiment.' }).trim().min(1, 'Choose a sentiment.').max(64),
  timeOnTaskMs: z.coerce.number().int().min(0).max(86_400_000).nullable().default(null),
});
export type SubmitLabelInput = z.input<typeof SubmitLabelSchema>;

/** The form's fields as the schema reads them (radio group "label", hidden ids and timer). */
export function labelFieldsFromForm(form: FormData): Record<string, unknown> {
  const value = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const time = value('timeOnTaskMs');
  return {
    labelId: value('labelId'),
    assignmentId: value('assignmentId'),
    label: value('label') ?? '',
    timeOnTaskMs: time ? time : null,
  };
}
