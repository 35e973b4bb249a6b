/**
 * The "Project" select at the top of the leads' and researchers' screens: choosing one reloads
 * the page for it (a plain GET form, so it works without JavaScript through the Show button).
 */
import { Form } from '@remix-run/react';
import type { ReactNode } from 'react';

export function ProjectPicker({
  projects,
  current,
  children,
}: {
  projects: { slug: string; name: string; type: string }[];
  current: string;
  /** more fields of the same form (e.g. a checkbox) */
  children?: ReactNode;
}) {
  return (
    <Form method="get" className="row">
      <label className="field">
        <span>Project</span>
        <select name="project" defaultValue={current} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
          {projects.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name} ({p.type})
            </option>
          ))}
        </select>
      </label>
      {children}
      <noscript>
        <button className="button" type="submit">
          Show
        </button>
      </noscript>
    </Form>
  );
}
