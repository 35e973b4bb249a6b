/**
 * Every route action that reads a form, driven over real HTTP as the role that uses it, grouped in
 * families: sign-in and account, admin, project setup (with uploads), annotation, quality and
 * safety review (targets in forms-setup.ts and forms-work.ts). Fields are the ones each form
 * sends, with plausible and hostile values; see http.ts for the rules each response is held to.
 */
import { checkForm, formInputs, type FormInput } from './http';
import { adminTargets, projectTargets, sessionTargets } from './forms-setup';
import { annotationTargets, qualityTargets } from './forms-work';
import type { FamilySpec } from './runner';
import { makeWorld, type FuzzTarget, type World } from './world';

export const FORM_FAMILIES = {
  'forms: sign-in and account': sessionTargets,
  'forms: admin': adminTargets,
  'forms: project setup, models, exports': projectTargets,
  'forms: annotation': annotationTargets,
  'forms: quality and safety review': qualityTargets,
} as const;

const input = (
  target: string,
  path: string,
  form: FormInput['form'],
  encoding: FormInput['encoding'] = { kind: 'form' },
): FormInput => ({
  target,
  path,
  form,
  file: null,
  asData: true,
  encoding,
});
const raw = (contentType: string, body: string): FormInput['encoding'] => ({
  kind: 'raw',
  contentType,
  body,
});

/** Counterexamples fuzzing found (each was a 500), checked first in every run of their family. */
const FORM_EXAMPLES: Record<keyof typeof FORM_FAMILIES, (w: World) => FormInput[]> = {
  'forms: sign-in and account': () => [
    // request.formData() threw a TypeError on a body that is not a readable form
    input('POST /login', '/login', {}, raw('multipart/form-data; boundary=fuzz', 'garbage')),
    input('POST /login', '/login', {}, raw('text/plain', 'email=a')),
  ],
  'forms: admin': () => [
    // a NUL in a field reached an insert
    input('POST /admin/users', '/admin/users', {
      email: ['a.b@example.org'],
      roles: ['annotator'],
      displayName: ['A\u0000'],
    }),
  ],
  'forms: project setup, models, exports': (w) => [
    // a modelId that is not a UUID reached the query
    input('POST /models', '/models', { intent: ['activate'], modelId: [''] }),
    // the multipart parser's errors: no boundary, a part without a name
    input(
      'POST /projects/:slug/import',
      `/projects/${w.preference.slug}/import`,
      {},
      raw('multipart/form-data', 'x'),
    ),
    input(
      'POST /projects/:slug/import',
      `/projects/${w.preference.slug}/import`,
      {},
      raw(
        'multipart/form-data; boundary=fuzz',
        '--fuzz\r\nContent-Disposition: form-data; name=""\r\n\r\nv\r\n--fuzz--\r\n',
      ),
    ),
    // a NUL in the path reached the slug lookup
    input('POST /projects/:slug/import', '/projects/%00/import', {}),
  ],
  'forms: annotation': () => [],
  'forms: quality and safety review': (w) => [
    input('POST /adjudicate', '/adjudicate', { project: ['a\u0000b'], unitId: [w.preference.pairIds[0]!] }),
  ],
};

/** One family of form actions over HTTP, in a world of its own. */
export async function formFamily(
  target: FuzzTarget,
  family: keyof typeof FORM_FAMILIES,
): Promise<FamilySpec<FormInput>> {
  const world = await makeWorld(target, family.replace(/\W+/g, '-').slice(7, 20));
  const targets = FORM_FAMILIES[family](world);
  const byName = new Map(targets.map((t) => [t.name, t]));
  return {
    family,
    arbitrary: formInputs(targets),
    examples: FORM_EXAMPLES[family](world),
    check: (input) => checkForm(world, byName, input),
  };
}
