/** A project's members: who gets its work when it is restricted, and the forms leads use to change that. */
import { Form } from '@remix-run/react';
import { formatDateTime } from '../../utils/format';
import { Field, FormError } from '../form';

export interface MemberView {
  email: string;
  languages: string[];
  domains: string[];
  added_at: string;
}

export function MembersCard({
  members,
  membersOnly,
  canManage,
  unit,
  message,
  error,
}: {
  members: MemberView[];
  membersOnly: boolean;
  canManage: boolean;
  /** "pairs" or "items" */
  unit: string;
  /** the outcome of the last members action */
  message?: string;
  error?: string;
}) {
  return (
    <section className="card" aria-labelledby="members-h">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="members-h">Members</h2>
        {canManage ? (
          <Form method="post">
            <input type="hidden" name="intent" value="access" />
            <input type="hidden" name="membersOnly" value={membersOnly ? 'false' : 'true'} />
            <button type="submit">{membersOnly ? 'Open to every annotator' : 'Restrict to members'}</button>
          </Form>
        ) : null}
      </div>
      <p className="small muted">
        {membersOnly
          ? `Only the people listed here get ${unit} from this project.`
          : `Every annotator gets ${unit} from this project; the list matters once you restrict it.`}
      </p>
      {message ? (
        <div className="alert alert-success" role="status">
          {message}
        </div>
      ) : null}
      <FormError message={error} />
      {members.length === 0 ? (
        <p className="empty">No members yet.</p>
      ) : (
        <table className="data" aria-label="Members">
          <thead>
            <tr>
              <th>Email</th>
              <th>Languages</th>
              <th>Domains</th>
              <th>Added</th>
              {canManage ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.email}>
                <td>{m.email}</td>
                <td>{m.languages.join(', ') || 'all'}</td>
                <td>{m.domains.join(', ')}</td>
                <td>{formatDateTime(m.added_at)}</td>
                {canManage ? (
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="remove-member" />
                      <input type="hidden" name="email" value={m.email} />
                      <button type="submit" className="button-link" aria-label={`Remove ${m.email}`}>
                        Remove
                      </button>
                    </Form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage ? (
        // keyed by the member count, so the field empties after each successful add
        <Form
          method="post"
          className="row"
          style={{ marginTop: '0.8rem', alignItems: 'flex-end' }}
          key={members.length}
        >
          <input type="hidden" name="intent" value="add-member" />
          <div style={{ minWidth: 280 }}>
            <Field label="Add a member by email" name="email" type="email" required />
          </div>
          <button type="submit" className="button-primary">
            Add member
          </button>
        </Form>
      ) : null}
    </section>
  );
}
