/** What each role's home page shows, gathered in one place. */
import type { PublicUser } from '../../db/queries/users';
import { countUsersByRole } from '../../db/queries/users';
import { countContributionsByProject, listProjectSummaries } from '../../db/queries/projects';
import { countReviewQueue } from '../../tasks/safety-review';
import { listAuditEvents } from '../../db/queries/audit-log';
import { listApiTokens } from '../../tasks/api-tokens';
import { hasRole } from '../../tasks/roles';
import { getAppContext } from './context.server';

export async function loadHome(user: PublicUser) {
  const { db } = getAppContext();
  const annotator = hasRole(user, 'annotator')
    ? {
        projects: await listProjectSummaries(db, { onlyOpenTo: user.id }),
        mine: await countContributionsByProject(db, user.id),
      }
    : null;
  const reviewer = hasRole(user, 'safety_reviewer') ? { awaitingReview: await countReviewQueue(db) } : null;
  const overview = hasRole(user, 'lead', 'researcher') ? { projects: await listProjectSummaries(db) } : null;
  const researcher = hasRole(user, 'researcher')
    ? { activeTokens: (await listApiTokens(db, user.id)).filter((t) => !t.revoked_at).length }
    : null;
  const admin = hasRole(user, 'admin')
    ? {
        usersByRole: await countUsersByRole(db),
        recent: (await listAuditEvents(db, { limit: 6 })).map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          event: e.event,
          actor: e.actor_email,
        })),
      }
    : null;
  return { annotator, reviewer, overview, researcher, admin };
}
