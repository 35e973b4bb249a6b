/** The project page's door to db/ and tasks/, bound to this process's database. */
import { findProjectBySlug, listProjectSummaries } from '../../db/queries/projects';
import { answersPerDay, pairsByJudgmentCount, projectActivity } from '../../db/queries/progress';
import { projectConsensus } from '../../tasks/consensus';
import { addMember, listMembers, removeMember, setMembersOnly } from '../../tasks/project-members';
import type { Actor } from '../../tasks/accounts';
import { createProject, updateProjectSettings } from '../../tasks/projects';
import { activeLearningSettings } from '../../tasks/active-learning/settings';
import { POLICY_DESCRIPTIONS, POLICY_NAMES } from '../../tasks/active-learning/policies';
import { getAppContext } from './context.server';
import { notFound } from './http.server';

export async function projectOverview(slug: string) {
  const db = getAppContext().db;
  const project = await findProjectBySlug(db, slug);
  if (!project) throw notFound(`No project "${slug}".`);
  const summary = (await listProjectSummaries(db)).find((p) => p.id === project.id);
  const isPreference = project.type === 'preference';
  const [buckets, perDay, activity, members, consensus] = await Promise.all([
    isPreference ? pairsByJudgmentCount(db, project.id, project.redundancy) : Promise.resolve([]),
    answersPerDay(db, project.id, 30, { table: isPreference ? 'judgments' : 'sentiment_labels' }),
    projectActivity(db, project.id, { table: isPreference ? 'judgments' : 'sentiment_labels' }),
    listMembers(db, project.id),
    isPreference ? projectConsensus(db, project.id) : Promise.resolve([]),
  ]);
  const levels = { unanimous: 0, strong: 0, majority: 0, split: 0 };
  for (const c of consensus) if (c.helpfulness.n >= 2) levels[c.helpfulness.level]++;
  const activeLearning = isPreference
    ? {
        ...activeLearningSettings(project.settings),
        policies: POLICY_NAMES.map((name) => ({ name, description: POLICY_DESCRIPTIONS[name] })),
      }
    : null;
  return {
    project,
    summary,
    buckets,
    perDay,
    activity,
    members,
    levels,
    judgedPairs: consensus.length,
    activeLearning,
  };
}

export const saveSettings = (
  projectId: string,
  input: Parameters<typeof updateProjectSettings>[2],
  actor: Actor,
) =>
  updateProjectSettings(getAppContext().db, projectId, input, actor, {
    modelsDir: getAppContext().config.modelsDir,
  });

export const membership = {
  add: (projectId: string, email: string, actor: Actor) =>
    addMember(getAppContext().db, projectId, email, actor),
  remove: (projectId: string, email: string, actor: Actor) =>
    removeMember(getAppContext().db, projectId, email, actor),
  setMembersOnly: (projectId: string, value: boolean, actor: Actor) =>
    setMembersOnly(getAppContext().db, projectId, value, actor),
};

/** Creates a project from the new-project form (tasks/projects.ts validates every field). */
export const newProject = (input: Parameters<typeof createProject>[1], actor: Actor) =>
  createProject(getAppContext().db, input, actor);
