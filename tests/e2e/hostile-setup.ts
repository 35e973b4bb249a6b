/**
 * The data of the hostile-content spec: a preference project and a sentiment project whose every
 * piece of untrusted text (names, description, guidelines, prompts, responses, rationales, review
 * and adjudication notes, item text, display names) carries script payloads, judged, flagged,
 * reviewed, adjudicated and exported so each screen that shows such text has some. Its own users sign in
 * with HOSTILE_PASSWORD.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema';
import { createUser } from '../../tasks/accounts';
import { createExportSnapshot } from '../../tasks/export/snapshots';
import { importPreferences } from '../../tasks/import/preferences';
import { submitJudgment } from '../../tasks/judgments';
import { TEST_SCRYPT } from '../../tasks/passwords';
import { createProject, updateProjectSettings } from '../../tasks/projects';
import { adjudicateItem } from '../../tasks/quality/adjudication';
import { refreshQualityReport } from '../../tasks/quality/refresh';
import { nextPair } from '../../tasks/queue';
import { createRng } from '../../tasks/rng';
import { decideReview } from '../../tasks/safety-review';

/** Each payload sets window.__pwned or opens a dialog if it ever runs. */
export const PAYLOADS = {
  script: '<script>window.__pwned=1</script>',
  img: '<img src=x onerror="window.__pwned=1;alert(1)">',
  svg: '<svg onload="window.__pwned=1"><circle r="40"></circle></svg>',
  iframe: '<iframe src="javascript:window.__pwned=1"></iframe>',
  mdLink: '[click me](javascript:window.__pwned=1)',
  mdLinkCase: '[or me](JaVaScRiPt:alert(1))',
  mdImage: '![pic](javascript:alert(1))',
  anchor: '<a href="javascript:window.__pwned=1">tap here</a>',
  breakout: '"><script>window.__pwned=1</script>',
  scriptClose: '</script><script>window.__pwned=1</script>',
  textarea: '</textarea><img src=x onerror=alert(1)>',
  template: "{{constructor.constructor('window.__pwned=1')()}}",
  details: '<details open ontoggle="window.__pwned=1">x</details>',
  /** U+202E turns the rest of its run around: "exe.txt" reads as "txt.exe" */
  bidi: 'report\u202Eexe.txt',
} as const;

/** A raw HTML block, which markdown would pass through if raw HTML were allowed. */
export const HTML_BLOCK =
  '<div onclick="window.__pwned=1" style="position:fixed;inset:0;background:red">\n\n**covering the page**\n\n</div>';

const all = (label: string) => `${label}: ${Object.values(PAYLOADS).join(' · ')}`;

export const HOSTILE = {
  slug: 'e2e-hostile-all',
  compareSlug: 'e2e-hostile-compare',
  itemsSlug: 'e2e-hostile-items',
  name: `Hostile ${PAYLOADS.breakout} ${PAYLOADS.bidi}`,
  compareName: `Hostile to compare ${PAYLOADS.breakout} ${PAYLOADS.bidi}`,
  itemsName: `Hostile items ${PAYLOADS.img}`,
  description: `About ${PAYLOADS.script} and ${PAYLOADS.mdLink}`,
  guidelines: [
    '# Guidelines',
    '',
    `Read ${PAYLOADS.mdLink} and ${PAYLOADS.mdLinkCase}; see ${PAYLOADS.mdImage}.`,
    '',
    HTML_BLOCK,
    '',
    `Inline: ${PAYLOADS.script} ${PAYLOADS.anchor} ${PAYLOADS.template}`,
  ].join('\n'),
  prompt: all('Prompt'),
  left: `Left ${PAYLOADS.script} ${PAYLOADS.img} ${PAYLOADS.svg} ${PAYLOADS.iframe} ${PAYLOADS.details}`,
  right: `Right ${PAYLOADS.mdLink} ${PAYLOADS.anchor} ${PAYLOADS.breakout} ${PAYLOADS.scriptClose}\n\n${HTML_BLOCK}`,
  rationale: all('Rationale'),
  reviewNote: `Review note ${PAYLOADS.img} ${PAYLOADS.bidi}`,
  itemText: `Item ${PAYLOADS.script} ${PAYLOADS.img} ${PAYLOADS.template} ${PAYLOADS.bidi}`,
  itemNote: `Item note ${PAYLOADS.breakout}`,
  judgeName: `Eve ${PAYLOADS.img}`,
};

export const HOSTILE_PASSWORD = 'hostile content spec password';
export const HOSTILE_LOGINS = {
  annotator: 'hostile-annotator@example.org',
  safety_reviewer: 'hostile-reviewer@example.org',
  lead: 'hostile-lead@example.org',
  researcher: 'hostile-researcher@example.org',
  admin: 'hostile-admin@example.org',
} as const;

async function user(db: Kysely<Database>, email: string, roles: Role[], displayName?: string) {
  return createUser(
    db,
    { email, roles, displayName, languages: [], domains: [], password: HOSTILE_PASSWORD },
    {},
    TEST_SCRYPT,
  );
}

export async function seedHostileContent(db: Kysely<Database>): Promise<void> {
  for (const [role, email] of Object.entries(HOSTILE_LOGINS)) await user(db, email, [role as Role]);
  const lead = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', '=', HOSTILE_LOGINS.lead)
    .executeTakeFirstOrThrow();
  const reviewer = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', HOSTILE_LOGINS.safety_reviewer)
    .executeTakeFirstOrThrow();

  const hostileProject = async (slug: string, name: string) => {
    const created = await createProject(
      db,
      { slug, name, type: 'preference', redundancy: 5, description: HOSTILE.description },
      {},
    );
    await updateProjectSettings(db, created.id, { guidelines: HOSTILE.guidelines }, {});
    const record = (i: number) =>
      JSON.stringify({
        prompt: `${HOSTILE.prompt} (${i})`,
        responses: [
          { model: 'a', text: HOSTILE.left },
          { model: 'b', text: HOSTILE.right },
        ],
      });
    await importPreferences(db, () => Readable.from([[record(1), record(2)].join('\n')]), {
      projectId: created.id,
      format: 'arbiter',
      rng: createRng(3),
    });
    return created;
  };
  // the compare screen's own copy, so judging there changes nothing the other screens count
  await hostileProject(HOSTILE.compareSlug, HOSTILE.compareName);
  const project = await hostileProject(HOSTILE.slug, HOSTILE.name);

  // three judges who disagree, flag critical violence and explain
  const judges = [
    await user(db, 'hostile-judge-1@example.org', ['annotator'], HOSTILE.judgeName),
    await user(db, 'hostile-judge-2@example.org', ['annotator']),
    await user(db, 'hostile-judge-3@example.org', ['annotator']),
  ];
  const pairIds = (
    await db.selectFrom('pairs').select('id').where('project_id', '=', project.id).orderBy('id').execute()
  ).map((p) => p.id);
  // in canonical terms (negative: A better): on one pair the other two outvote Eve (a disagreement
  // on her calibration page), on the other all three differ (a dispute to adjudicate)
  const scores = [
    [-2, 2, 2],
    [-2, 0, 2],
  ];
  for (const [j, judge] of judges.entries()) {
    for (let n = 0; n < 2; n++) {
      const lease = await nextPair(db, {
        annotator: { id: judge.id, languages: [], domains: [] },
        projectSlug: HOSTILE.slug,
        rng: createRng(10 * j + n),
      });
      if (!lease) throw new Error('the hostile project ran out of pairs');
      const pair = await db
        .selectFrom('pairs')
        .select('response_a_id')
        .where('id', '=', lease.pair_id)
        .executeTakeFirstOrThrow();
      // scores are given as seen (negative: left better); split A / tie / B whatever the placement
      const seen = (canonical: number) =>
        (lease.left_response_id === pair.response_a_id ? 1 : -1) * canonical;
      await submitJudgment(db, judge.id, {
        judgmentId: randomUUID(),
        assignmentId: lease.assignment_id,
        fields: {
          helpfulness: seen(scores[pairIds.indexOf(lease.pair_id)]![j]!),
          safety: seen(-scores[pairIds.indexOf(lease.pair_id)]![j]!),
          flags: [{ side: 'right', category: 'violence', severity: 'critical' }],
          rationale: `${HOSTILE.rationale} (judge ${j + 1})`,
        },
      });
    }
  }
  // one of the flagged responses reviewed, with a note
  const flag = await db
    .selectFrom('response_flags as f')
    .innerJoin('judgments as j', 'j.id', 'f.judgment_id')
    .select(['f.id', 'f.response_id'])
    .where('j.project_id', '=', project.id)
    .orderBy('f.id')
    .executeTakeFirstOrThrow();
  await decideReview(db, reviewer.id, {
    responseId: flag.response_id,
    decisions: [{ flagId: flag.id, decision: 'escalated', category: 'violence', severity: 'critical' }],
    note: HOSTILE.reviewNote,
  });
  await refreshQualityReport(db, project.id);
  // an export snapshot, queued before the specs start so a busy job queue cannot hold it up
  const researcher = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', '=', HOSTILE_LOGINS.researcher)
    .executeTakeFirstOrThrow();
  await createExportSnapshot(db, {
    projectId: project.id,
    input: { format: 'trl' },
    actor: { userId: researcher.id, email: researcher.email },
  });

  // the sentiment project: an item two people labelled apart, decided with a note
  const items = await createProject(
    db,
    { slug: HOSTILE.itemsSlug, name: HOSTILE.itemsName, type: 'sentiment', redundancy: 3 },
    {},
  );
  await updateProjectSettings(db, items.id, { guidelines: HOSTILE.guidelines }, {});
  const inserted = await db
    .insertInto('sentiment_items')
    .values(
      [1, 2, 3].map((i) => ({
        project_id: items.id,
        text: `${HOSTILE.itemText} (${i})`,
        content_hash: `e2e-hostile-item-${i}`,
      })),
    )
    .returning('id')
    .execute();
  for (const [i, label] of ['positive', 'negative'].entries())
    await db
      .insertInto('sentiment_labels')
      .values({
        id: randomUUID(),
        project_id: items.id,
        item_id: inserted[0]!.id,
        annotator_id: judges[i]!.id,
        label,
        source: 'human',
      })
      .execute();
  await db.updateTable('sentiment_items').set({ label_count: 2 }).where('id', '=', inserted[0]!.id).execute();
  await adjudicateItem(db, {
    projectId: items.id,
    itemId: inserted[0]!.id,
    decision: { label: 'neutral', note: HOSTILE.itemNote },
    actor: { id: lead.id, email: lead.email },
  });
}
