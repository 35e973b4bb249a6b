/**
 * The baseline: the same queue and judgment functions the compare route calls (tasks/queue
 * nextPair + loadPairView, tasks/judgments submitJudgment), issued directly through a pg pool in
 * this process, with no HTTP, session, Remix or rendering in between.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema';
import { UserInputError } from '../../../tasks/errors';
import { submitJudgment } from '../../../tasks/judgments';
import { loadPairView, nextPair } from '../../../tasks/queue';
import type { AnnotatorOps } from './annotators';

export function directOps(
  db: Kysely<Database>,
  annotator: { id: string; languages: string[]; domains: string[] },
  projectSlug: string,
): AnnotatorOps {
  const placement = () => Math.random();
  return {
    async next() {
      const lease = await nextPair(db, { annotator, projectSlug, rng: placement });
      if (!lease) return null;
      const view = await loadPairView(db, lease.assignment_id, annotator.id);
      return view ? { assignmentId: lease.assignment_id, submissionId: randomUUID() } : null;
    },
    async submit(offered, answer) {
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
