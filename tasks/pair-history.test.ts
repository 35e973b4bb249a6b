import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { describeDb } from '../tests/setup/db';
import { makeUser } from '../tests/setup/factories';
import { importPreferences } from './import/preferences';
import { submitJudgment } from './judgments';
import { loadPairHistory, pairsOfResponse } from './pair-history';
import { createProject } from './projects';
import { nextPair } from './queue';
import { createRng } from './rng';

describeDb('pair history', ({ db }) => {
  it('shows both responses with models, the hidden reference, judgments in canonical order and consensus', async () => {
    const project = await createProject(
      db(),
      { slug: `hist-${randomUUID().slice(0, 6)}`, name: 'History', type: 'preference' },
      {},
    );
    const line = JSON.stringify({ prompt: 'Is 7 prime?', chosen: 'Yes, 7 is prime.', rejected: 'No.' });
    await importPreferences(db(), () => Readable.from([line]), {
      projectId: project.id,
      format: 'trl',
      rng: createRng(1),
    });
    const { user } = await makeUser(db(), { roles: ['annotator'] });
    const lease = (await nextPair(db(), {
      annotator: { id: user.id, languages: [], domains: [] },
      projectSlug: project.slug,
      rng: createRng(3),
    }))!;
    const pair = await db()
      .selectFrom('pairs')
      .select(['response_a_id'])
      .where('id', '=', lease.pair_id)
      .executeTakeFirstOrThrow();
    const leftIsA = lease.left_response_id === pair.response_a_id;
    await submitJudgment(db(), user.id, {
      judgmentId: randomUUID(),
      assignmentId: lease.assignment_id,
      fields: { helpfulness: -3, safety: 0, flags: [{ side: 'left', category: 'other', severity: 'low' }] },
    });
    const history = (await loadPairHistory(db(), lease.pair_id))!;
    const chosenSide = history.a.text === 'Yes, 7 is prime.' ? 'a' : 'b';
    expect(history.pair.reference).toMatchObject({ preferred: chosenSide, source: 'trl' });
    expect(history.judgments).toHaveLength(1);
    expect(history.judgments[0]).toMatchObject({
      helpfulness: leftIsA ? -3 : 3,
      shownLeft: leftIsA ? 'a' : 'b',
    });
    expect(history.flags).toEqual([
      { response: leftIsA ? 'a' : 'b', category: 'other', severity: 'low', annotator: user.display_name },
    ]);
    expect(history.consensus?.preference).toEqual({ preferred: leftIsA ? 'a' : 'b', basis: 'helpfulness' });
    expect(await pairsOfResponse(db(), history.a.id)).toEqual([lease.pair_id]);
    expect(await loadPairHistory(db(), randomUUID())).toBeNull();
  });
});
