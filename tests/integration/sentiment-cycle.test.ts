/**
 * One full turn of the sentiment loop, on the embedded store and on PostgreSQL: import with the
 * lexicon's pre-labels → people label (held-out items first) → a retraining cycle measured before
 * and after on the held-out set → the new model re-routes the queue, auto-accepts confident items
 * and draws some for audit → audits are answered blind → a second cycle learns from them too.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { findJob } from '../../db/queries/jobs';
import { findActiveModel } from '../../db/queries/models';
import {
  listAcceptedConfidences,
  listAuditOutcomes,
  listCycles,
  routingSummary,
} from '../../db/queries/sentiment';
import { importSentiment } from '../../tasks/import/sentiment';
import { createProject, updateProjectSettings } from '../../tasks/projects';
import { estimateAuditErrors } from '../../tasks/sentiment-audits';
import { runCycle, startSentimentCycle } from '../../tasks/sentiment-cycle';
import { loadItemView, nextItem, submitLabel } from '../../tasks/sentiment-labels';
import { createRng } from '../../tasks/rng';
import { describeDb } from '../setup/db';
import { makeUser } from '../setup/factories';
import { sentimentCsv, sentimentTexts } from '../setup/sentiment-fixtures';

describeDb('a sentiment retraining cycle', ({ db }) => {
  it('pre-labels, routes, audits and retrains, measuring each model on the same held-out labels', async () => {
    const { user: lead } = await makeUser(db(), { roles: ['lead'] });
    const annotators = await Promise.all([makeUser(db()), makeUser(db())]);
    const project = await createProject(
      db(),
      { slug: `s-${randomUUID().slice(0, 8)}`, name: 'Cycle', type: 'sentiment', redundancy: 1 },
      {},
    );
    await updateProjectSettings(
      db(),
      project.id,
      { autoAcceptThreshold: 0.8, auditRate: 0.25, holdoutRate: 0.2, holdoutMax: 60 },
      {},
    );
    const rows = sentimentTexts(320, 5);
    const truth = new Map(rows.map((r) => [r.text, r.label]));

    // 1. import: every item pre-labeled by the lexicon, which is never trusted to auto-accept
    const report = await importSentiment(db(), () => Readable.from([sentimentCsv(rows)]), {
      projectId: project.id,
      format: 'auto',
    });
    expect(report).toMatchObject({ format: 'csv', records: 320, items: { created: 320, existing: 0 } });
    expect(report.prelabeledBy).toBe('lexicon');
    expect(report.routing).toMatchObject({ human: 320, auto: 0, audit: 0 });
    expect(report.holdout).toBeGreaterThan(40);
    expect(report.holdout).toBeLessThanOrEqual(60);
    expect(report.references).toBe(320);

    // 2. people label 200 items; the held-out ones come first (they measure every cycle)
    const rng = createRng(3);
    const text = async (itemId: string) =>
      await db()
        .selectFrom('sentiment_items')
        .select(['text', 'is_holdout'])
        .where('id', '=', itemId)
        .executeTakeFirstOrThrow();
    let holdoutSeen = 0;
    for (let i = 0; i < 200; i++) {
      const { user } = annotators[i % 2]!;
      const lease = await nextItem(db(), {
        annotator: { id: user.id, languages: [], domains: [] },
        projectSlug: project.slug,
      });
      expect(lease).not.toBeNull();
      const item = await text(lease!.unit_id);
      if (i < report.holdout) expect(item.is_holdout).toBe(true);
      if (item.is_holdout) holdoutSeen++;
      // people make mistakes: one label in twenty is wrong
      const right = truth.get(item.text)!;
      const label = rng() < 0.05 ? (right === 'positive' ? 'negative' : 'positive') : right;
      await submitLabel(db(), user.id, { labelId: randomUUID(), assignmentId: lease!.assignment_id, label });
    }
    expect(holdoutSeen).toBe(report.holdout);

    // 3. the first cycle: the lexicon measured before, the trained model after, on the same labels
    const jobId = await startSentimentCycle(db(), { userId: lead.id, email: lead.email }, project.slug, {});
    const job = (await findJob(db(), jobId))!;
    const stages = new Set<string>();
    const first = await runCycle(db(), job, (stage) => stages.add(stage));
    expect([...stages]).toEqual(
      expect.arrayContaining(['load', 'featurize', 'train', 'measure the new model', 're-route items']),
    );
    expect(first.cycle).toMatchObject({
      number: 1,
      status: 'done',
      before_source: 'lexicon',
      holdout: report.holdout,
    });
    expect(first.before!.n).toBe(report.holdout);
    expect(first.after!.n).toBe(report.holdout);
    expect(first.after!.accuracy).toBeGreaterThan(first.before!.accuracy);
    expect(first.after!.accuracy).toBeGreaterThan(0.85);
    expect(first.activated).toBe(true);
    expect(
      (await findActiveModel(db(), { projectId: project.id, kind: 'sentiment', axis: 'sentiment' }))?.id,
    ).toBe(first.modelId);

    // 4. the 120 items nobody labelled were re-routed by the model: confident ones accepted, some audited
    expect(first.routing!.human + first.routing!.auto + first.routing!.audit).toBe(120);
    expect(first.routing!.auto + first.routing!.audit).toBeGreaterThan(40);
    expect(first.routing!.audit).toBeGreaterThan(0);
    const summary = await routingSummary(db(), project.id);
    expect(summary).toMatchObject({
      items: 320,
      auto: first.routing!.auto,
      audit_pending: first.routing!.audit,
    });
    const accepted = await db()
      .selectFrom('sentiment_items as s')
      .innerJoin('prelabels as p', 'p.id', 's.prelabel_id')
      .select(['s.final_label', 's.final_source', 's.status', 'p.label', 'p.source', 'p.confidence'])
      .where('s.project_id', '=', project.id)
      .where('s.route', '=', 'auto')
      .execute();
    for (const a of accepted) {
      expect(a).toMatchObject({ final_source: 'auto', status: 'closed', source: 'model' });
      expect(a.final_label).toBe(a.label);
      expect(Number(a.confidence)).toBeGreaterThanOrEqual(0.8);
    }

    // 5. audits come first, blind: the pre-label is not shown; the auditor's label becomes final
    const { user: auditor } = annotators[0]!;
    for (let i = 0; i < first.routing!.audit; i++) {
      const lease = (await nextItem(db(), {
        annotator: { id: auditor.id, languages: [], domains: [] },
        projectSlug: project.slug,
      }))!;
      const view = (await loadItemView(db(), lease.assignment_id, auditor.id))!;
      expect(view.isAudit).toBe(true);
      expect(view.prelabel).toBeNull();
      const result = await submitLabel(db(), auditor.id, {
        labelId: randomUUID(),
        assignmentId: lease.assignment_id,
        label: truth.get(view.text)!,
      });
      expect(result.audit).not.toBeNull();
      const item = await db()
        .selectFrom('sentiment_items')
        .select(['final_label', 'final_source', 'status'])
        .where('id', '=', view.itemId)
        .executeTakeFirstOrThrow();
      expect(item).toEqual({ final_label: truth.get(view.text), final_source: 'audit', status: 'closed' });
    }
    const outcomes = await listAuditOutcomes(db(), project.id);
    expect(outcomes).toHaveLength(first.routing!.audit);
    const estimate = estimateAuditErrors(outcomes, await listAcceptedConfidences(db(), project.id), {
      threshold: 0.8,
      tolerance: 0.05,
    });
    expect(estimate.overall.audited).toBe(first.routing!.audit);
    expect(estimate.overall.accepted).toBe(first.routing!.auto + first.routing!.audit);

    // 6. the second cycle trains on the audits too and is measured against the first model
    const secondJob = (await findJob(
      db(),
      await startSentimentCycle(db(), { userId: lead.id }, project.slug, { activate: 'always' }),
    ))!;
    const second = await runCycle(db(), secondJob, () => undefined);
    expect(second.cycle).toMatchObject({
      number: 2,
      before_source: 'model',
      before_model_id: first.modelId,
      audit_labels: first.routing!.audit,
    });
    expect(second.before!.accuracy).toBeCloseTo(first.after!.accuracy, 10);
    // 7. a stricter threshold sends accepted items below it back to people; a looser one accepts more
    const stricter = await updateProjectSettings(db(), project.id, { autoAcceptThreshold: 0.999 }, {});
    expect(stricter.rerouted!.reopened).toBeGreaterThan(0);
    const reopened = await db()
      .selectFrom('sentiment_items as s')
      .innerJoin('prelabels as p', 'p.id', 's.prelabel_id')
      .select(['s.status', 's.final_label', 'p.confidence'])
      .where('s.project_id', '=', project.id)
      .where('s.route', '=', 'auto')
      .execute();
    for (const r of reopened) expect(Number(r.confidence)).toBeGreaterThanOrEqual(0.999);
    const looser = await updateProjectSettings(db(), project.id, { autoAcceptThreshold: 0.6 }, {});
    expect(looser.rerouted!.accepted).toBeGreaterThanOrEqual(stricter.rerouted!.reopened);
    const cycles = await listCycles(db(), project.id);
    expect(cycles.map((c) => [c.number, c.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
  }, 180_000);

  it('refuses to start a cycle without enough labels, saying how many there are', async () => {
    const { user: lead } = await makeUser(db(), { roles: ['lead'] });
    const project = await createProject(
      db(),
      { slug: `s-${randomUUID().slice(0, 8)}`, name: 'Empty', type: 'sentiment' },
      {},
    );
    await expect(startSentimentCycle(db(), { userId: lead.id }, project.slug, {})).rejects.toThrow(
      /Only 0 item\(s\) outside the held-out set have a label from a person; a model needs at least 10/,
    );
    const { user: annotator } = await makeUser(db());
    await expect(startSentimentCycle(db(), { userId: annotator.id }, project.slug, {})).rejects.toThrow(
      /Only leads, researchers and admins/,
    );
  });
});
