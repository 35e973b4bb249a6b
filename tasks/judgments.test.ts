import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { describeDb } from '../tests/setup/db';
import { makePreferenceProject, makeUser } from '../tests/setup/factories';
import { nextPair, skipPair } from './queue';
import { editJudgment, listRecentJudgments, submitJudgment } from './judgments';
import { createRng } from './rng';

const rng = createRng(9);
const fields = { helpfulness: -2, safety: 0, flags: [], rationale: '' };

async function leased(db: Kysely<Database>, redundancy = 3) {
  const project = await makePreferenceProject(db, { redundancy, prompts: [{}] });
  const { user } = await makeUser(db);
  const me = { id: user.id, languages: [], domains: [] };
  const lease = (await nextPair(db, { annotator: me, projectSlug: project.slug, rng }))!;
  const pair = await db
    .selectFrom('pairs')
    .select(['id', 'response_a_id', 'response_b_id'])
    .where('id', '=', lease.pair_id)
    .executeTakeFirstOrThrow();
  return { project, me, lease, pair };
}

describeDb('judgments', ({ db }) => {
  it('stores scores in canonical A/B order whichever side was shown left, and counts the pair', async () => {
    const { me, lease, pair } = await leased(db());
    const judgmentId = randomUUID();
    await submitJudgment(db(), me.id, {
      judgmentId,
      assignmentId: lease.assignment_id,
      fields: { ...fields, safety: 1 },
    });
    const row = await db()
      .selectFrom('judgments')
      .selectAll()
      .where('id', '=', judgmentId)
      .executeTakeFirstOrThrow();
    const leftIsA = lease.left_response_id === pair.response_a_id;
    expect(row.helpfulness).toBe(leftIsA ? -2 : 2);
    expect(row.safety).toBe(leftIsA ? 1 : -1);
    expect(row.shown_left_response_id).toBe(lease.left_response_id);
    const after = await db()
      .selectFrom('pairs')
      .select(['judgment_count', 'lease_count'])
      .where('id', '=', pair.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ judgment_count: 1, lease_count: 0 });
  });

  it('is idempotent: a retried submission returns the first and creates nothing', async () => {
    const { me, lease, pair } = await leased(db());
    const input = { judgmentId: randomUUID(), assignmentId: lease.assignment_id, fields };
    const results = await Promise.all([
      submitJudgment(db(), me.id, input),
      submitJudgment(db(), me.id, input),
    ]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    const again = await submitJudgment(db(), me.id, input);
    expect(again).toEqual({ judgmentId: input.judgmentId, duplicate: true });
    const count = await db()
      .selectFrom('judgments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pair_id', '=', pair.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    await expect(
      submitJudgment(db(), me.id, { judgmentId: randomUUID(), assignmentId: lease.assignment_id, fields }),
    ).rejects.toThrow(/already submitted/);
  });

  it('refuses a submission id that is already someone else’s judgment and leaves the lease as it was', async () => {
    const first = await leased(db());
    const judgmentId = randomUUID();
    await submitJudgment(db(), first.me.id, { judgmentId, assignmentId: first.lease.assignment_id, fields });
    const second = await leased(db());
    await expect(
      submitJudgment(db(), second.me.id, { judgmentId, assignmentId: second.lease.assignment_id, fields }),
    ).rejects.toThrow(/submission id is taken/);
    const assignment = await db()
      .selectFrom('assignments')
      .select('status')
      .where('id', '=', second.lease.assignment_id)
      .executeTakeFirstOrThrow();
    expect(assignment.status).toBe('leased');
    const pair = await db()
      .selectFrom('pairs')
      .select(['judgment_count', 'lease_count'])
      .where('id', '=', second.pair.id)
      .executeTakeFirstOrThrow();
    expect(pair).toEqual({ judgment_count: 0, lease_count: 1 });
  });

  it('stores flags on the right responses and requires a rationale for serious ones', async () => {
    const { me, lease, pair } = await leased(db());
    const flags = [{ side: 'right' as const, category: 'violence' as const, severity: 'high' as const }];
    await expect(
      submitJudgment(db(), me.id, {
        judgmentId: randomUUID(),
        assignmentId: lease.assignment_id,
        fields: { ...fields, flags },
      }),
    ).rejects.toThrow(/needs a short rationale/);
    const judgmentId = randomUUID();
    await submitJudgment(db(), me.id, {
      judgmentId,
      assignmentId: lease.assignment_id,
      fields: { ...fields, flags, rationale: 'Describes how to hurt someone.' },
    });
    const stored = await db()
      .selectFrom('response_flags')
      .select(['response_id', 'category', 'severity'])
      .where('judgment_id', '=', judgmentId)
      .execute();
    const right = lease.left_response_id === pair.response_a_id ? pair.response_b_id : pair.response_a_id;
    expect(stored).toEqual([{ response_id: right, category: 'violence', severity: 'high' }]);
  });

  it('enforces a project that asks for a rationale with every judgment', async () => {
    const { project, me, lease } = await leased(db());
    await db()
      .updateTable('projects')
      .set({ settings: JSON.stringify({ rationaleRequired: true }) })
      .where('id', '=', project.id)
      .execute();
    await expect(
      submitJudgment(db(), me.id, { judgmentId: randomUUID(), assignmentId: lease.assignment_id, fields }),
    ).rejects.toThrow(/asks for a short rationale/);
    await submitJudgment(db(), me.id, {
      judgmentId: randomUUID(),
      assignmentId: lease.assignment_id,
      fields: { ...fields, rationale: 'Left answers the question directly.' },
    });
  });

  it('honours an expired lease while the pair has room, and says so plainly when it does not', async () => {
    const roomy = await leased(db(), 3);
    await db()
      .updateTable('assignments')
      .set({ status: 'expired' })
      .where('id', '=', roomy.lease.assignment_id)
      .execute();
    await db().updateTable('pairs').set({ lease_count: 0 }).where('id', '=', roomy.pair.id).execute();
    await submitJudgment(db(), roomy.me.id, {
      judgmentId: randomUUID(),
      assignmentId: roomy.lease.assignment_id,
      fields,
    });

    const full = await leased(db(), 1);
    await db()
      .updateTable('assignments')
      .set({ status: 'expired' })
      .where('id', '=', full.lease.assignment_id)
      .execute();
    await db().updateTable('pairs').set({ lease_count: 1 }).where('id', '=', full.pair.id).execute();
    await expect(
      submitJudgment(db(), full.me.id, {
        judgmentId: randomUUID(),
        assignmentId: full.lease.assignment_id,
        fields,
      }),
    ).rejects.toThrow(/ran out and it was given to someone else/);
  });

  it('refuses submissions for skipped pairs and for other people’s assignments', async () => {
    const { me, lease } = await leased(db());
    const { user: other } = await makeUser(db());
    await expect(
      submitJudgment(db(), other.id, { judgmentId: randomUUID(), assignmentId: lease.assignment_id, fields }),
    ).rejects.toThrow(/Unknown assignment/);
    await skipPair(db(), me.id, { assignmentId: lease.assignment_id, reason: 'broken' });
    await expect(
      submitJudgment(db(), me.id, { judgmentId: randomUUID(), assignmentId: lease.assignment_id, fields }),
    ).rejects.toThrow(/skipped this pair/);
  });

  it('keeps every edit as history and shows recent judgments as the annotator saw them', async () => {
    const { me, lease } = await leased(db());
    const judgmentId = randomUUID();
    await submitJudgment(db(), me.id, { judgmentId, assignmentId: lease.assignment_id, fields });
    expect(
      await editJudgment(db(), me.id, judgmentId, { ...fields, helpfulness: 1, rationale: 'Second look.' }),
    ).toEqual({ revision: 2 });
    const revisions = await db()
      .selectFrom('judgment_revisions')
      .select(['revision', 'data'])
      .where('judgment_id', '=', judgmentId)
      .execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.revision).toBe(1);
    expect(revisions[0]!.data).toMatchObject({ rationale: '' });
    const [recent] = await listRecentJudgments(db(), me.id);
    expect(recent).toMatchObject({ id: judgmentId, helpfulness: 1, revision: 2, editable: true });
    const { user: other } = await makeUser(db());
    await expect(editJudgment(db(), other.id, judgmentId, fields)).rejects.toThrow(
      /No such judgment of yours/,
    );
    const later = new Date(Date.now() + 8 * 86_400_000);
    await expect(editJudgment(db(), me.id, judgmentId, fields, later)).rejects.toThrow(/7 days/);
  });
});
