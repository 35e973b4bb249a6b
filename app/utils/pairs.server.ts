/** The pair page's door to tasks/pair-history. */
import { loadPairHistory, pairsOfResponse } from '../../tasks/pair-history';
import { getAppContext } from './context.server';

export const pairHistory = (pairId: string) => loadPairHistory(getAppContext().db, pairId);
export const pairsWithResponse = (responseId: string) => pairsOfResponse(getAppContext().db, responseId);
