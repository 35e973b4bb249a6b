/** The safety review screen's door to tasks/safety-review, bound to this process's database. */
import * as review from '../../tasks/safety-review';
import { getAppContext } from './context.server';

export const queue = (limit?: number) => review.listReviewQueue(getAppContext().db, limit);
export const item = (responseId: string) => review.loadReviewItem(getAppContext().db, responseId);
export const recentDecisions = (limit?: number) => review.listRecentDecisions(getAppContext().db, limit);
export const decide = (reviewerId: string, input: Parameters<typeof review.decideReview>[2]) =>
  review.decideReview(getAppContext().db, reviewerId, input);
