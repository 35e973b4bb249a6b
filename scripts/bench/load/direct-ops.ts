/**
 * The baseline: the same SQL the compare route issues, through the same functions, directly on a
 * pg pool in this process: the session and its user (db/queries/sessions findLiveSessionUser) on
 * every request; then the lease, the pair view and the annotator's counters (tasks/queue nextPair +
 * loadPairView, tasks/annotator-stats) for a next pair; the judgment (tasks/judgments
 * submitJudgment) for a submit. What it leaves out (HTTP, the signed cookie, Remix, serialisation)
 * is what the ratio measures.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema';
import { findLiveSessionUser } from '../../../db/queries/sessions';
import { annotatorStats } from '../../../tasks/annotator-stats';
import { UserInputError } from '../../../tasks/errors';
import { submitJudgment } from '../../../tasks/judgments';
import { loadPairView, nextPair } from '../../../tasks/queue';
import type { AnnotatorOps } from './annotators';

export function directOps(
  db: Kysely<Database>,
  annotator: { id: string; languages: string[]; domains: string[] },
  projectSlug: string,
  /** the stored id of a live session of this annotator */
  sessionId: string,
): AnnotatorOps {
  const placement = () => Math.random();
  const signedIn = async () => {
    if (!(await findLiveSessionUser(db, sessionId, new Date())))
      throw new Error(`the baseline's session for ${annotator.id} is gone`);
  };
  const lease = async () => {
    const leased = await nextPair(db, { annotator, projectSlug, rng: placement });
    if (!leased) return null;
    const view = await loadPairView(db, leased.assignment_id, annotator.id);
    return view ? { assignmentId: leased.assignment_id, submissionId: randomUUID() } : null;
  };
  return {
    async next() {
      await signedIn();
      // the route reads the counters alongside the pair, on a second connection
      const [offered] = await Promise.all([lease(), annotatorStats(db, annotator.id)]);
      return offered;
    },
    async submit(offered, answer) {
      await signedIn();
      try {
        await submitJudgment(db, annotator.id, {
          judgmentId: offered.submissionId,
          assignmentId: offered.assignmentId,
          fields: answer,
        });
        return 'ack';
      } catch (error) {
        if (error instanceof UserInputError) return { rejected: error.message };
        throw error;
      }
    },
  };
}
