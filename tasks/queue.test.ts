import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { describeDb } from '../tests/setup/db';
import { makePreferenceProject, makeUser } from '../tests/setup/factories';
import { openDb } from '../db/client';
import { TEST_DATABASE_URL } from '../tests/setup/test-env';
import { randomUUID } from 'node:crypto';
import { nextPair, skipPair, loadPairView } from './queue';
import { submitJudgment } from './judgments';
import { createRng } from './rng';

const rng = createRng(5);
const MINUTE = 60_000;

async function annotator(db: Kysely<Database>, extra: { languages?: string[]; domains?: string[] } = {}) {
  const { user } = await makeUser(db, { roles: ['annotator'], ...extra });
  return { id: user.id, languages: user.languages, domains: user.domains };
}

async function leasesPerPair(db: Kysely<Database>, projectId: string) {
  return db
    .selectFrom('pairs')
    .select(['id', 'lease_count', 'judgment_count'])
    .where('project_id', '=', projectId)
    .execute();
}

describeDb('assignment queue', ({ db, backend, handle }) => {
  it('leases a pair, shows the same one on reload, and stores a random left/right', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}, {}, {}] });
    const me = await annotator(db());
    const first = await nextPair(db(), { annotator: me, projectSlug: project.slug, rng });
    expect(first).not.toBeNull();
    const again = await nextPair(db(), { annotator: me, projectSlug: project.slug, rng });
    expect(again?.assignment_id).toBe(first!.assignment_id);
    const view = await loadPairView(db(), first!.assignment_id, me.id);
    expect(view?.left.id).toBe(first!.left_response_id);
    expect(view?.left.id).not.toBe(view?.right.id);
    expect(JSON.stringify(view)).not.toMatch(/"reference"|"model"/);
    const sides = new Set<boolean>();
    for (let i = 0; i < 12; i++) {
      const other = await annotator(db());
      const lease = await nextPair(db(), { annotator: other, projectSlug: project.slug, rng: createRng(i) });
      if (!lease) break;
      const pair = await db()
        .selectFrom('pairs')
        .select('response_a_id')
        .where('id', '=', lease.pair_id)
        .executeTakeFirstOrThrow();
      sides.add(lease.left_response_id === pair.response_a_id);
    }
    expect(sides).toEqual(new Set([true, false]));
  });

  it('never hands a pair to more annotators than its redundancy, and expired leases return', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 2, prompts: [{}] });
    const [a, b, c] = [await annotator(db()), await annotator(db()), await annotator(db())];
    const now = new Date();
    expect(await nextPair(db(), { annotator: a, projectSlug: project.slug, rng, now })).not.toBeNull();
    expect(await nextPair(db(), { annotator: b, projectSlug: project.slug, rng, now })).not.toBeNull();
    expect(await nextPair(db(), { annotator: c, projectSlug: project.slug, rng, now })).toBeNull();
    const later = new Date(now.getTime() + 11 * MINUTE);
    const lease = await nextPair(db(), { annotator: c, projectSlug: project.slug, rng, now: later });
    expect(lease).not.toBeNull();
    const [pair] = await leasesPerPair(db(), project.id);
    expect(pair!.lease_count).toBe(1);
    const expired = await db()
      .selectFrom('assignments')
      .select('status')
      .where('pair_id', '=', pair!.id)
      .execute();
    expect(expired.map((r) => r.status).sort()).toEqual(['expired', 'expired', 'leased']);
  });

  it('serves the least-judged pair first', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}, {}, {}] });
    const pairs = await leasesPerPair(db(), project.id);
    await db()
      .updateTable('pairs')
      .set({ judgment_count: 1 })
      .where('project_id', '=', project.id)
      .where('id', '!=', pairs[1]!.id)
      .execute();
    const lease = await nextPair(db(), { annotator: await annotator(db()), projectSlug: project.slug, rng });
    expect(lease?.pair_id).toBe(pairs[1]!.id);
  });

  it('skipping needs a reason, frees the slot, and the pair never comes back to that annotator', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 1, prompts: [{}] });
    const me = await annotator(db());
    const lease = (await nextPair(db(), { annotator: me, projectSlug: project.slug, rng }))!;
    await expect(
      skipPair(db(), me.id, { assignmentId: lease.assignment_id, reason: 'bored' as never }),
    ).rejects.toThrow(/Choose why/);
    await skipPair(db(), me.id, { assignmentId: lease.assignment_id, reason: 'expertise', note: 'tax law' });
    await expect(
      skipPair(db(), me.id, { assignmentId: lease.assignment_id, reason: 'other' }),
    ).rejects.toThrow(/already skipped/);
    const row = await db()
      .selectFrom('assignments')
      .select(['status', 'skip_reason'])
      .where('id', '=', lease.assignment_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'skipped', skip_reason: 'expertise: tax law' });
    expect(await nextPair(db(), { annotator: me, projectSlug: project.slug, rng })).toBeNull();
    expect(
      await nextPair(db(), { annotator: await annotator(db()), projectSlug: project.slug, rng }),
    ).not.toBeNull();
  });

  it('routes by language and domain of expertise', async () => {
    const project = await makePreferenceProject(db(), {
      prompts: [{ language: 'de' }, { language: 'fr', domain: 'medical' }, { language: 'en' }],
    });
    const german = await annotator(db(), { languages: ['de'] });
    const frenchDoctor = await annotator(db(), { languages: ['fr'], domains: ['medical'] });
    const frenchNoDomain = await annotator(db(), { languages: ['fr'] });
    const anyLanguage = await annotator(db());
    const prompts = await db()
      .selectFrom('prompts')
      .select(['id', 'language'])
      .where('project_id', '=', project.id)
      .execute();
    const languageOf = async (lease: { pair_id: string } | null) => {
      if (!lease) return null;
      const pair = await db()
        .selectFrom('pairs')
        .select('prompt_id')
        .where('id', '=', lease.pair_id)
        .executeTakeFirstOrThrow();
      return prompts.find((p) => p.id === pair.prompt_id)!.language;
    };
    expect(
      await languageOf(await nextPair(db(), { annotator: german, projectSlug: project.slug, rng })),
    ).toBe('de');
    expect(
      await languageOf(await nextPair(db(), { annotator: frenchDoctor, projectSlug: project.slug, rng })),
    ).toBe('fr');
    expect(await nextPair(db(), { annotator: frenchNoDomain, projectSlug: project.slug, rng })).toBeNull();
    const seen = new Set<string | null>();
    for (let i = 0; i < 3; i++) {
      const lease = await nextPair(db(), { annotator: anyLanguage, projectSlug: project.slug, rng });
      seen.add(await languageOf(lease));
      if (lease) await skipPair(db(), anyLanguage.id, { assignmentId: lease.assignment_id, reason: 'other' });
    }
    expect(seen).toEqual(new Set(['de', 'en', null]));
  });

  it('keeps members-only projects and required domains to the people they name', async () => {
    const closed = await makePreferenceProject(db(), { membersOnly: true, prompts: [{}] });
    const legal = await makePreferenceProject(db(), { requiredDomain: 'legal', prompts: [{}] });
    const outsider = await annotator(db());
    const member = await annotator(db());
    const lawyer = await annotator(db(), { domains: ['legal'] });
    await db().insertInto('project_members').values({ project_id: closed.id, user_id: member.id }).execute();
    expect(await nextPair(db(), { annotator: outsider, projectSlug: closed.slug, rng })).toBeNull();
    expect(await nextPair(db(), { annotator: member, projectSlug: closed.slug, rng })).not.toBeNull();
    expect(await nextPair(db(), { annotator: outsider, projectSlug: legal.slug, rng })).toBeNull();
    expect(await nextPair(db(), { annotator: lawyer, projectSlug: legal.slug, rng })).not.toBeNull();
    await expect(nextPair(db(), { annotator: lawyer, projectSlug: 'no-such-project', rng })).rejects.toThrow(
      /No preference project/,
    );
  });

  it.skipIf(backend === 'pglite' || !TEST_DATABASE_URL)(
    '20 annotators pulling and submitting through two app processes never exceed redundancy (PostgreSQL)',
    async () => {
      const redundancy = 3;
      const project = await makePreferenceProject(db(), {
        redundancy,
        prompts: Array.from({ length: 12 }, () => ({})),
      });
      // a second pool on the same database: what a second app process would hold
      const second = await openDb({ kind: 'postgres', url: handle().location, poolSize: 10 });
      const processes = [db(), second.db];
      const people = await Promise.all(Array.from({ length: 20 }, () => annotator(db())));
      let submitted = 0;
      // everyone works until the queue has nothing left for them; some skip now and then
      await Promise.all(
        people.map(async (person, i) => {
          const conn = processes[i % 2]!;
          const personal = createRng(100 + i);
          for (;;) {
            const lease = await nextPair(conn, {
              annotator: person,
              projectSlug: project.slug,
              rng: personal,
            });
            if (!lease) return;
            if (personal() < 0.15) {
              await skipPair(conn, person.id, { assignmentId: lease.assignment_id, reason: 'other' });
              continue;
            }
            const judgmentId = randomUUID();
            const input = {
              judgmentId,
              assignmentId: lease.assignment_id,
              fields: { helpfulness: 1, safety: 0 },
            };
            await submitJudgment(conn, person.id, input);
            // a retry of the same submission (a double click) must not count twice
            if (personal() < 0.2) await submitJudgment(processes[(i + 1) % 2]!, person.id, input);
            submitted++;
          }
        }),
      );
      await second.close();
      const pairs = await leasesPerPair(db(), project.id);
      for (const pair of pairs) {
        expect(pair.judgment_count).toBeLessThanOrEqual(redundancy);
        expect(pair.lease_count).toBe(0);
        const judged = await db()
          .selectFrom('judgments')
          .select(['annotator_id'])
          .where('pair_id', '=', pair.id)
          .execute();
        expect(judged).toHaveLength(pair.judgment_count);
        expect(new Set(judged.map((j) => j.annotator_id)).size).toBe(judged.length);
      }
      // 12 pairs × 3 = 36 slots, 20 people: every slot is filled and every acknowledged judgment is there
      expect(pairs.every((p) => p.judgment_count === redundancy)).toBe(true);
      const total = await db()
        .selectFrom('judgments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', project.id)
        .executeTakeFirstOrThrow();
      expect(Number(total.n)).toBe(submitted);
      expect(submitted).toBe(12 * redundancy);
    },
  );
});
