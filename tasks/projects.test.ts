import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { createProject, updateProjectSettings } from './projects';
import { UserInputError } from './errors';

describeDb('project settings', ({ db }) => {
  it('creates projects with checked slugs and refuses duplicates', async () => {
    const slug = `p-${randomUUID().slice(0, 8)}`;
    const project = await createProject(
      db(),
      { slug: slug.toUpperCase(), name: 'Mine', type: 'preference' },
      {},
    );
    expect(project.slug).toBe(slug);
    await expect(createProject(db(), { slug, name: 'Again', type: 'preference' }, {})).rejects.toThrow(
      /already exists/,
    );
    await expect(
      createProject(db(), { slug: 'Bad Slug!', name: 'x', type: 'preference' }, {}),
    ).rejects.toThrow(/lowercase letters/);
    const sentiment = await createProject(db(), { slug: `${slug}-s`, name: 'S', type: 'sentiment' }, {});
    expect(sentiment.label_set).toEqual(['positive', 'negative', 'neutral']);
  });

  it('changes only the given settings, keeps other settings, and records the change', async () => {
    const project = await createProject(
      db(),
      { slug: `s-${randomUUID().slice(0, 8)}`, name: 'Settings', type: 'preference' },
      {},
    );
    await db()
      .updateTable('projects')
      .set({ settings: JSON.stringify({ keep: 1 }) })
      .where('id', '=', project.id)
      .execute();
    await updateProjectSettings(
      db(),
      project.id,
      { redundancy: '5', leaseMinutes: 20, rationaleRequired: 'yes', guidelines: '# Be kind' },
      {},
    );
    const row = await db()
      .selectFrom('projects')
      .select(['redundancy', 'lease_seconds', 'settings', 'guidelines', 'name'])
      .where('id', '=', project.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      redundancy: 5,
      lease_seconds: 1200,
      guidelines: '# Be kind',
      name: 'Settings',
      settings: { keep: 1, rationaleRequired: true },
    });
    const event = await db()
      .selectFrom('audit_log')
      .select('details')
      .where('event', '=', 'project.settings_changed')
      .where('target_id', '=', project.id)
      .executeTakeFirstOrThrow();
    expect(event.details).toMatchObject({ redundancy: 5, guidelines: '9 characters' });
    for (const [input, field, message] of [
      [{ redundancy: 0 }, 'redundancy', /at least 1/],
      [{ leaseMinutes: 'soon' }, 'leaseMinutes', /whole number of minutes/],
      [{ safetyOverrides: 'maybe' }, 'safetyOverrides', /yes or no/],
      [{ safetyMargin: 5 }, 'safetyMargin', /1, 2 or 3/],
    ] as const) {
      const error = await updateProjectSettings(db(), project.id, input as never, {}).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).field).toBe(field);
      expect((error as UserInputError).message).toMatch(message);
    }
    const after = await db()
      .selectFrom('projects')
      .select('redundancy')
      .where('id', '=', project.id)
      .executeTakeFirstOrThrow();
    expect(after.redundancy).toBe(5);
  });
});
