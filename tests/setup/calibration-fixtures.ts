/**
 * A preference project with a known team for the quality tests and the dashboard spec: five fair
 * annotators who pick the helpful reply nine times in ten, wherever it is shown, and one ("Lefty")
 * who always picks the response on the left. Ten pairs are gold (the helpful reply expected).
 * Judgments are spread over three weeks so the weekly figures have something to show.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { createRng } from '../../tasks/rng';
import { makePreferenceProject, makeUser } from './factories';

const TOPICS =
  'bread tides taxes vaccines rust chess sourdough orbits glaciers loans pottery joins compost jetlag violins mortgages bees regex solar knitting volcanoes rebase cheese marathons owls bonds kites printers tea lichens fonts ferries sleep lenses yeast maps soap bridges moss clocks'.split(
    ' ',
  );

export interface CalibrationProject {
  projectId: string;
  slug: string;
  lead: { id: string; email: string };
  leadPassword: string;
  lefty: { id: string; name: string };
  fair: { id: string; name: string }[];
  goldPairs: string[];
}

export async function makeCalibrationProject(db: Kysely<Database>, seed = 7): Promise<CalibrationProject> {
  const project = await makePreferenceProject(db, {
    redundancy: 6,
    prompts: TOPICS.map((topic, i) => ({
      text: `Can you explain ${topic}?`,
      responseTexts:
        i % 2
          ? [`Here is how ${topic} works, with an example.`, `Look ${topic} up.`]
          : [`Look ${topic} up.`, `Here is how ${topic} works, with an example.`],
    })),
  });
  // in topic order, not by the random ids, so a seed gives the same team on every run and store
  const pairs = (
    await db
      .selectFrom('pairs as p')
      .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
      .innerJoin('prompts as q', 'q.id', 'p.prompt_id')
      .select(['p.id', 'p.response_a_id', 'p.response_b_id', 'ra.text', 'q.messages'])
      .where('p.project_id', '=', project.id)
      .execute()
  ).sort(
    (x, y) =>
      TOPICS.findIndex((t) => x.messages[0]!.content === `Can you explain ${t}?`) -
      TOPICS.findIndex((t) => y.messages[0]!.content === `Can you explain ${t}?`),
  );
  const { user: lead, password: leadPassword } = await makeUser(db, { roles: ['lead'] });
  const people: { id: string; name: string; lefty: boolean }[] = [];
  for (const name of ['Fair One', 'Fair Two', 'Fair Three', 'Fair Four', 'Fair Five', 'Lefty']) {
    const { user } = await makeUser(db);
    await db.updateTable('users').set({ display_name: name }).where('id', '=', user.id).execute();
    people.push({ id: user.id, name, lefty: name === 'Lefty' });
  }
  const goldPairs = pairs.slice(0, 10).map((p) => p.id);
  await db.updateTable('pairs').set({ is_gold: true }).where('id', 'in', goldPairs).execute();
  await db
    .insertInto('gold_answers')
    .values(
      pairs.slice(0, 10).map((p) => ({
        project_id: project.id,
        pair_id: p.id,
        expected: JSON.stringify({ helpfulness: p.text.startsWith('Here is') ? -2 : 2, match: 'direction' }),
        created_by: lead.id,
      })),
    )
    .execute();
  const rng = createRng(seed);
  const start = Date.UTC(2026, 10, 2); // a Monday
  const rows = [];
  for (const person of people)
    for (const [i, pair] of pairs.entries()) {
      const aIsGood = pair.text.startsWith('Here is');
      // which side is shown left is drawn relative to the better response, not to A: A is whichever
      // response has the smaller random id, so drawing it against A made Lefty's accuracy (and so
      // its reliability weight) change from run to run
      const leftIsGood = rng() < 0.5;
      const leftIsA = aIsGood === leftIsGood;
      const picksA = person.lefty ? leftIsA : rng() < 0.9 ? aIsGood : !aIsGood;
      const at = new Date(
        start + Math.floor((i / pairs.length) * 21 * 86_400_000) + people.indexOf(person) * 60_000,
      );
      rows.push({
        id: randomUUID(),
        project_id: project.id,
        pair_id: pair.id,
        annotator_id: person.id,
        helpfulness: picksA ? -2 : 2,
        safety: 0,
        shown_left_response_id: leftIsA ? pair.response_a_id : pair.response_b_id,
        time_on_task_ms: person.lefty ? 4_000 : 25_000 + Math.floor(rng() * 10_000),
        is_gold: goldPairs.includes(pair.id),
        created_at: at,
        updated_at: at,
      });
    }
  await db.insertInto('judgments').values(rows).execute();
  await db
    .updateTable('pairs')
    .set({ judgment_count: people.length })
    .where('project_id', '=', project.id)
    .execute();
  return {
    projectId: project.id,
    slug: project.slug,
    lead: { id: lead.id, email: lead.email },
    leadPassword,
    lefty: people.find((p) => p.lefty)!,
    fair: people.filter((p) => !p.lefty),
    goldPairs,
  };
}
