import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeDb } from '../../tests/setup/db';
import { makePreferenceProject, makeUser } from '../../tests/setup/factories';
import { nextPair } from '../queue';
import { editJudgment, submitJudgment } from '../judgments';
import { createRng } from '../rng';
import { ExportFiltersSchema } from './filters';
import { annotatorPseudonym, streamExportJudgments, type ExportedJudgment } from './judgments';

describeDb('raw judgments for export', ({ db }) => {
  it('carries provenance: pseudonym, canonical scores, flags, shown order, edits; no email', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}] });
    const { user } = await makeUser(db());
    const me = { id: user.id, languages: [] as string[], domains: [] as string[] };
    const lease = (await nextPair(db(), { annotator: me, projectSlug: project.slug, rng: createRng(2) }))!;
    const pair = await db()
      .selectFrom('pairs')
      .select(['response_a_id'])
      .where('id', '=', lease.pair_id)
      .executeTakeFirstOrThrow();
    const leftIsA = lease.left_response_id === pair.response_a_id;
    const fields = {
      helpfulness: -2,
      safety: 0,
      bothUnacceptable: false,
      rationale: 'The left one answers the question with an example.',
      flags: [{ side: 'right' as const, category: 'violence' as const, severity: 'low' as const }],
      timeOnTaskMs: 12_000,
    };
    const { judgmentId } = await submitJudgment(db(), user.id, {
      judgmentId: randomUUID(),
      assignmentId: lease.assignment_id,
      fields,
    });
    await editJudgment(db(), user.id, judgmentId, { ...fields, helpfulness: -3 });
    const rows: ExportedJudgment[] = [];
    for await (const j of streamExportJudgments(db(), project.id, ExportFiltersSchema.parse({}), new Set()))
      rows.push(j);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      judgment_id: judgmentId,
      pair_id: lease.pair_id,
      annotator: annotatorPseudonym(project.id, user.id),
      // the left response was preferred: canonical sign depends on which side was A
      helpfulness: leftIsA ? -3 : 3,
      shown_left: leftIsA ? 'a' : 'b',
      flags: [{ response: leftIsA ? 'b' : 'a', category: 'violence', severity: 'low' }],
      time_on_task_ms: 12_000,
      is_gold: false,
      is_repeat: false,
      revision: 2,
    });
    expect(row.edits).toHaveLength(1);
    expect(row.edits[0]!.revision).toBe(1);
    expect(JSON.stringify(row)).not.toContain(user.email);
    expect(row.annotator).toMatch(/^annotator-[0-9a-f]{12}$/);
    // excluded annotators are left out
    const none: ExportedJudgment[] = [];
    for await (const j of streamExportJudgments(
      db(),
      project.id,
      ExportFiltersSchema.parse({}),
      new Set([user.id]),
    ))
      none.push(j);
    expect(none).toEqual([]);
  });

  it('pages through judgments made within the same millisecond, each exactly once', async () => {
    const project = await makePreferenceProject(db(), { prompts: Array.from({ length: 7 }, () => ({})) });
    const pairs = await db()
      .selectFrom('pairs')
      .select(['id', 'response_a_id'])
      .where('project_id', '=', project.id)
      .execute();
    const { user } = await makeUser(db());
    // microseconds apart: a millisecond keyset would start each page inside the last one
    for (const [i, pair] of pairs.entries())
      await sql`insert into judgments (id, project_id, pair_id, annotator_id, helpfulness, safety, shown_left_response_id, created_at, updated_at)
        values (${randomUUID()}, ${project.id}, ${pair.id}, ${user.id}, 1, 0, ${pair.response_a_id},
          ${`2026-03-01 10:00:00.0001${i}+00`}::timestamptz, now())`.execute(db());
    const seen: string[] = [];
    for await (const j of streamExportJudgments(
      db(),
      project.id,
      ExportFiltersSchema.parse({}),
      new Set(),
      2,
    ))
      seen.push(j.judgment_id);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });
});
