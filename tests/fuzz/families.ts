/**
 * Every fuzz family, for the benchmark (the vitest files call the same families directly). Each
 * family is built against the context it needs: the database (importers), a scratch directory
 * (CLI file readers) or a running server (forms, API, filters, body limits).
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../../app/utils/env.server';
import type { Database } from '../../db/schema';
import { apiFamily } from './api';
import { filterFamily } from './filters';
import { FORM_FAMILIES, formFamily } from './forms';
import { preferenceImportFamily, rewardFileFamily } from './imports-preferences';
import { categoryMapFamily, safetyImportFamily } from './imports-safety';
import { crowdFileFamily, sentimentFileFamily, sentimentImportFamily } from './imports-tabular';
import { oversizedFamily } from './oversized';
import type { FamilySpec } from './runner';

export interface FuzzContext {
  db: Kysely<Database>;
  /** a scratch directory the CLI readers' files are written to */
  dir: string;
  /** the running server */
  url: string;
  config: Pick<AppConfig, 'maxBodyBytes' | 'maxUploadBytes'>;
}

export interface FamilyEntry {
  /** short name for --family */
  key: string;
  make: (context: FuzzContext) => Promise<FamilySpec<never>> | FamilySpec<never>;
}

const target = (c: FuzzContext) => ({ url: c.url, db: c.db });
const as = <T>(spec: FamilySpec<T>) => spec as unknown as FamilySpec<never>;

export const FAMILIES: FamilyEntry[] = [
  { key: 'import-preferences', make: async (c) => as(await preferenceImportFamily(c.db)) },
  { key: 'import-sentiment', make: async (c) => as(await sentimentImportFamily(c.db)) },
  { key: 'import-safety', make: async (c) => as(await safetyImportFamily(c.db)) },
  { key: 'category-maps', make: () => as(categoryMapFamily()) },
  { key: 'reward-files', make: async (c) => as(await rewardFileFamily(c.dir)) },
  { key: 'sentiment-files', make: (c) => as(sentimentFileFamily(c.dir)) },
  { key: 'crowd-files', make: (c) => as(crowdFileFamily(c.dir)) },
  ...(Object.keys(FORM_FAMILIES) as (keyof typeof FORM_FAMILIES)[]).map((family) => ({
    key: `forms-${family.replace(/^forms: /, '').split(/[ ,]/)[0]}`,
    make: async (c: FuzzContext) => as(await formFamily(target(c), family)),
  })),
  { key: 'api', make: async (c) => as(await apiFamily(target(c))) },
  { key: 'filters', make: async (c) => as(await filterFamily(target(c))) },
  { key: 'oversized', make: (c) => as(oversizedFamily(target(c), c.config)) },
];
