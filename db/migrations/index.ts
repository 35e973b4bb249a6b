/**
 * Every migration, listed statically. Kysely's FileMigrationProvider imports files at run time,
 * which cannot work inside the bundled Remix server build; a static list works in the bundle,
 * under tsx (the CLI) and in vitest alike. `db/migrate.test.ts` checks this list matches the folder.
 */
import type { Migration } from 'kysely';
import * as initial from './2026_11_22_0900_initial';
import * as queue from './2026_11_22_1000_queue';
import * as rewardScores from './2026_11_22_1100_reward_scores';
import * as sentimentLoop from './2026_12_01_0900_sentiment_loop';
import * as pretrainedPrelabels from './2026_12_01_1500_pretrained_prelabels';
import * as activeLearning from './2026_12_01_1700_active_learning';
import * as quality from './2026_12_01_1900_quality';
import * as exportSnapshots from './2026_12_01_2100_export_snapshots';
import * as safetyTriage from './2026_12_02_0900_safety_triage';
import * as queueOrderIndex from './2026_12_03_0900_queue_order_index';

export const migrations: Record<string, Migration> = {
  '2026_11_22_0900_initial': initial,
  '2026_11_22_1000_queue': queue,
  '2026_11_22_1100_reward_scores': rewardScores,
  '2026_12_01_0900_sentiment_loop': sentimentLoop,
  '2026_12_01_1500_pretrained_prelabels': pretrainedPrelabels,
  '2026_12_01_1700_active_learning': activeLearning,
  '2026_12_01_1900_quality': quality,
  '2026_12_01_2100_export_snapshots': exportSnapshots,
  '2026_12_02_0900_safety_triage': safetyTriage,
  '2026_12_03_0900_queue_order_index': queueOrderIndex,
};
