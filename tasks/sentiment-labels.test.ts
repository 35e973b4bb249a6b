import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { makeUser } from '../tests/setup/factories';
import { importSentiment } from './import/sentiment';
import { createProject, updateProjectSettings } from './projects';
import {
  changeLabel,
  listRecentLabels,
  loadItemView,
  nextItem,
  plurality,
  skipItem,
  submitLabel,
} from './sentiment-labels';

describe('plurality', () => {
  it('is the most frequent label, or null on a tie for first', () => {
    expect(plurality(['a', 'b', 'a'])).toBe('a');
    expect(plurality(['a', 'b'])).toBeNull();
    expect(plurality(['a'])).toBe('a');
    expect(plurality([])).toBeNull();
  });
});

describeDb('labeling sentiment items', ({ db }) => {
  async function project(options: { redundancy?: number; texts?: string[]; settings?: object } = {}) {
    const p = await createProject(
      db(),
      {
        slug: `s-${randomUUID().slice(0, 8)}`,
        name: 'Label me',
        type: 'sentiment',
        redundancy: options.redundancy ?? 1,
      },
      {},
    );
    await updateProjectSettings(db(), p.id, { holdoutRate: 0, ...options.settings }, {});
    const texts = options.texts ?? [
      'A lovely day out.',
      'The worst service ever.',
      'The shop opens at nine.',
    ];
    await importSentiment(db(), () => Readable.from([['text', ...texts].join('\n')]), {
      projectId: p.id,
      format: 'csv',
    });
    return p;
  }
  const annotator = async () => {
    const { user } = await makeUser(db());
    return { id: user.id, languages: [] as string[], domains: [] as string[] };
  };

  it('shows the item with its pre-label, stores one label per submission id, and closes the item', async () => {
    const p = await project();
    const a = await annotator();
    const lease = (await nextItem(db(), { annotator: a, projectSlug: p.slug }))!;
    // a reload shows the same item
    expect((await nextItem(db(), { annotator: a, projectSlug: p.slug }))!.assignment_id).toBe(
      lease.assignment_id,
    );
    const view = (await loadItemView(db(), lease.assignment_id, a.id))!;
    expect(view.project.labels).toEqual(['positive', 'negative', 'neutral']);
    expect(view.isAudit).toBe(false);
    expect(view.prelabel).toMatchObject({ source: 'lexicon' });
    const labelId = randomUUID();
    const first = await submitLabel(db(), a.id, {
      labelId,
      assignmentId: lease.assignment_id,
      label: 'neutral',
      timeOnTaskMs: 1200,
    });
    const twice = await submitLabel(db(), a.id, {
      labelId,
      assignmentId: lease.assignment_id,
      label: 'neutral',
    });
    expect(first).toEqual({ labelId, duplicate: false, audit: null });
    expect(twice.duplicate).toBe(true);
    const item = await db()
      .selectFrom('sentiment_items')
      .select(['status', 'final_label', 'final_source', 'label_count', 'lease_count'])
      .where('id', '=', view.itemId)
      .executeTakeFirstOrThrow();
    expect(item).toEqual({
      status: 'closed',
      final_label: 'neutral',
      final_source: 'human',
      label_count: 1,
      lease_count: 0,
    });
    await expect(
      submitLabel(db(), a.id, { labelId: randomUUID(), assignmentId: lease.assignment_id, label: 'neutral' }),
    ).rejects.toThrow('You already labelled this item');
  });

  it('asks each annotator once per item, settles the plurality, and marks a tie for adjudication', async () => {
    const p = await project({ redundancy: 2, texts: ['Only item.'] });
    const [a, b, c] = [await annotator(), await annotator(), await annotator()];
    const la = (await nextItem(db(), { annotator: a, projectSlug: p.slug }))!;
    const lb = (await nextItem(db(), { annotator: b, projectSlug: p.slug }))!;
    expect(lb.unit_id).toBe(la.unit_id);
    // two leases fill the item's two places
    expect(await nextItem(db(), { annotator: c, projectSlug: p.slug })).toBeNull();
    await submitLabel(db(), a.id, {
      labelId: randomUUID(),
      assignmentId: la.assignment_id,
      label: 'positive',
    });
    expect(await nextItem(db(), { annotator: a, projectSlug: p.slug })).toBeNull();
    await submitLabel(db(), b.id, {
      labelId: randomUUID(),
      assignmentId: lb.assignment_id,
      label: 'negative',
    });
    const item = await db()
      .selectFrom('sentiment_items')
      .select(['status', 'final_label', 'final_source'])
      .where('id', '=', la.unit_id)
      .executeTakeFirstOrThrow();
    expect(item).toEqual({ status: 'closed', final_label: null, final_source: 'tie' });
    // changing a label settles the item again
    const [mine] = await listRecentLabels(db(), b.id);
    await changeLabel(db(), b.id, mine!.id, 'positive');
    const settled = await db()
      .selectFrom('sentiment_items')
      .select(['final_label', 'final_source'])
      .where('id', '=', la.unit_id)
      .executeTakeFirstOrThrow();
    expect(settled).toEqual({ final_label: 'positive', final_source: 'human' });
    const log = await db()
      .selectFrom('audit_log')
      .select(['details'])
      .where('event', '=', 'label.changed')
      .where('target_id', '=', mine!.id)
      .execute();
    expect(log[0]!.details).toMatchObject({ from: 'negative', to: 'positive' });
  });

  it('refuses a label outside the label set, a stranger’s assignment, and a lapsed lease whose place was taken', async () => {
    const p = await project({ texts: ['One.'] });
    const [a, b] = [await annotator(), await annotator()];
    const lease = (await nextItem(db(), { annotator: a, projectSlug: p.slug }))!;
    await expect(
      submitLabel(db(), a.id, {
        labelId: randomUUID(),
        assignmentId: lease.assignment_id,
        label: 'sarcastic',
      }),
    ).rejects.toThrow('"sarcastic" is not one of this project\'s labels (positive, negative, neutral).');
    await expect(
      submitLabel(db(), b.id, {
        labelId: randomUUID(),
        assignmentId: lease.assignment_id,
        label: 'positive',
      }),
    ).rejects.toThrow('Unknown item; reload the page.');
    await expect(
      submitLabel(db(), a.id, { labelId: 'nope', assignmentId: lease.assignment_id, label: 'positive' }),
    ).rejects.toThrow('This form is out of date; reload the page.');
    // the lease runs out and someone else takes the place
    const later = new Date(Date.now() + 3600_000);
    const other = (await nextItem(db(), { annotator: b, projectSlug: p.slug, now: later }))!;
    expect(other.unit_id).toBe(lease.unit_id);
    await expect(
      submitLabel(
        db(),
        a.id,
        { labelId: randomUUID(), assignmentId: lease.assignment_id, label: 'positive' },
        later,
      ),
    ).rejects.toThrow(/Your time on this item ran out/);
  });

  it('skips with a reason, giving the place back, and never offers the item to that annotator again', async () => {
    const p = await project({ texts: ['Skip me.'] });
    const [a, b] = [await annotator(), await annotator()];
    const lease = (await nextItem(db(), { annotator: a, projectSlug: p.slug }))!;
    await skipItem(db(), a.id, { assignmentId: lease.assignment_id, reason: 'language' });
    expect(await nextItem(db(), { annotator: a, projectSlug: p.slug })).toBeNull();
    expect((await nextItem(db(), { annotator: b, projectSlug: p.slug }))!.unit_id).toBe(lease.unit_id);
    await expect(
      skipItem(db(), a.id, { assignmentId: lease.assignment_id, reason: 'language' }),
    ).rejects.toThrow('This item is already skipped');
  });

  it('hides pre-labels in a blind project', async () => {
    const p = await project({ settings: { blindPrelabels: true } });
    const a = await annotator();
    const lease = (await nextItem(db(), { annotator: a, projectSlug: p.slug }))!;
    const view = (await loadItemView(db(), lease.assignment_id, a.id))!;
    expect(view).toMatchObject({ blind: true, prelabel: null });
  });

  it('lets the label set change until people label an item, and re-labels the suggestions', async () => {
    const p = await project({ texts: ['A lovely day.', 'An awful day.'] });
    await updateProjectSettings(db(), p.id, { labelSet: ['joy', 'anger'] }, {});
    const items = await db()
      .selectFrom('sentiment_items')
      .select(['prelabel_id', 'route'])
      .where('project_id', '=', p.id)
      .execute();
    // the word list cannot speak for joy and anger: no suggestions, everything with people
    expect(items).toEqual([
      { prelabel_id: null, route: 'human' },
      { prelabel_id: null, route: 'human' },
    ]);
    await expect(updateProjectSettings(db(), p.id, { labelSet: ['joy'] }, {})).rejects.toThrow(
      'Give at least two labels.',
    );
    await expect(updateProjectSettings(db(), p.id, { labelSet: ['joy', 'Joy'] }, {})).rejects.toThrow(
      'Each label must be different.',
    );
    const a = await annotator();
    const lease = (await nextItem(db(), { annotator: a, projectSlug: p.slug }))!;
    await submitLabel(db(), a.id, { labelId: randomUUID(), assignmentId: lease.assignment_id, label: 'joy' });
    await expect(updateProjectSettings(db(), p.id, { labelSet: ['joy', 'fear'] }, {})).rejects.toThrow(
      /The labels cannot change once people have labelled items/,
    );
    await expect(updateProjectSettings(db(), p.id, { rationaleRequired: true }, {})).rejects.toThrow(
      'rationaleRequired applies to preference projects only.',
    );
  });

  it('says plainly when the project is not a sentiment project', async () => {
    const preference = await createProject(
      db(),
      { slug: `p-${randomUUID().slice(0, 8)}`, name: 'P', type: 'preference' },
      {},
    );
    await expect(
      nextItem(db(), { annotator: await annotator(), projectSlug: preference.slug }),
    ).rejects.toThrow(`No sentiment project "${preference.slug}".`);
  });
});
