import type { Command } from 'commander';
import {
  QUEUE_REFRESH_JOB,
  runQueueRefreshJob,
  type RefreshResult,
} from '../../../tasks/active-learning/refresh';
import { listProjectSummaries } from '../../../db/queries/projects';
import { addMember, listMembers, removeMember, setMembersOnly } from '../../../tasks/project-members';
import fs from 'node:fs';
import { findJob } from '../../../db/queries/jobs';
import { startWorker } from '../../../tasks/jobs';
import { requireProject, updateProjectSettings } from '../../../tasks/projects';
import {
  runReprelabelJob,
  SENTIMENT_PRELABEL_JOB,
  type ReprelabelOutcome,
} from '../../../tasks/sentiment-reprelabel';
import { action, CliError, config, withDb, writeReport } from '../runtime';

const CLI_ACTOR = { email: 'cli' };

export function registerProject(program: Command): void {
  const project = program.command('project').description('Projects and who may work on them.');

  project
    .command('list')
    .description('List projects with their progress.')
    .option('--report <file>', 'write the list as JSON')
    .action(
      action(async (opts: { report?: string }) => {
        await withDb('project list', async ({ db }) => {
          const projects = await listProjectSummaries(db);
          writeReport(opts.report, { projects });
          if (projects.length === 0) {
            console.log('No projects yet. Create one with: arbiter import --project SLUG --create --file F');
            return;
          }
          for (const p of projects) {
            console.log(
              `${p.slug.padEnd(24)} ${p.type.padEnd(10)} ${p.completed}/${p.units} complete, ${p.judgments} judgments${p.members_only ? ', members only' : ''}`,
            );
          }
        });
      }),
    );

  const members = project.command('members').description('Project membership.');
  for (const [verb, describe] of [
    [
      'add',
      'Add a user to a project (it stays open to everyone until restricted with `arbiter project access`).',
    ],
    ['remove', 'Remove a user from a project.'],
  ] as const) {
    members
      .command(verb)
      .description(describe)
      .requiredOption('--project <slug>', 'the project')
      .requiredOption(
        '--email <email>',
        'the user (repeat for several)',
        (v: string, all: string[]) => [...all, v],
        [],
      )
      .action(
        action(async (opts: { project: string; email: string[] }) => {
          await withDb(`project members ${verb}`, async ({ db }) => {
            const found = await requireProject(db, opts.project);
            for (const email of opts.email) {
              const changed =
                verb === 'add'
                  ? await addMember(db, found.id, email, CLI_ACTOR)
                  : await removeMember(db, found.id, email, CLI_ACTOR);
              console.log(
                `${email}: ${changed ? (verb === 'add' ? 'added' : 'removed') : verb === 'add' ? 'already a member' : 'was not a member'}`,
              );
            }
            if (verb === 'add' && !found.members_only) {
              console.log(
                `Note: ${found.slug} is still open to every annotator; restrict it with \`arbiter project access --project ${found.slug} --members-only\`.`,
              );
            }
          });
        }),
      );
  }
  members
    .command('list')
    .description('List the members of a project.')
    .requiredOption('--project <slug>', 'the project')
    .option('--report <file>', 'write the list as JSON')
    .action(
      action(async (opts: { project: string; report?: string }) => {
        await withDb('project members list', async ({ db }) => {
          const found = await requireProject(db, opts.project);
          const rows = await listMembers(db, found.id);
          writeReport(opts.report, { project: found.slug, members_only: found.members_only, members: rows });
          console.log(
            `${found.slug}: ${found.members_only ? 'members only' : 'open to every annotator'}; ${rows.length} member(s)`,
          );
          for (const m of rows) console.log(`  ${m.email}  ${m.roles.join(', ')}`);
        });
      }),
    );

  project
    .command('set')
    .description("Change a project's settings; only the options given change.")
    .requiredOption('--project <slug>', 'the project')
    .option('--name <name>', 'display name')
    .option('--description <text>', 'one-line description')
    .option('--guidelines-file <path>', 'markdown file with the annotation guidelines')
    .option('--redundancy <n>', 'judgments each pair needs')
    .option('--lease-minutes <n>', 'how long a pair stays reserved for an annotator')
    .option('--rationale-required <yes|no>', 'require a rationale with every judgment')
    .option('--safety-overrides <yes|no>', 'the safer response wins when safety differs by the margin')
    .option('--safety-margin <n>', 'points of safety difference for --safety-overrides (1–3)')
    .option(
      '--auto-accept-threshold <p>',
      'sentiment: accept pre-labels of a trained model at or above this confidence (0.5–1; 1 = never)',
    )
    .option('--audit-rate <f>', 'sentiment: share of auto-accepted items drawn for audit (0–1)')
    .option(
      '--audit-tolerance <f>',
      'sentiment: auto-accept error rate above which the project warns (0.001–0.5)',
    )
    .option('--blind <yes|no>', 'sentiment: hide pre-labels from annotators')
    .option('--holdout-rate <f>', 'sentiment: share of imported items held out to measure each cycle (0–0.5)')
    .option('--holdout-max <n>', 'sentiment: at most this many held-out items')
    .option(
      '--cold-start-model <id|none>',
      'sentiment: a Transformers.js text-classification model under ARBITER_MODELS_DIR pre-labels until a model is trained here',
    )
    .option(
      '--cold-start-labels <map>',
      "sentiment: the cold-start model's classes → the project's labels, e.g. POSITIVE=positive,NEGATIVE=negative",
    )
    .option(
      '--policy <name>',
      'preference: the selection policy (random, least-judged, uncertainty, ensemble, annotator-disagreement, diverse, hybrid)',
    )
    .option(
      '--retrain-every <n>',
      'preference: retrain and re-rank the queue after this many judgments (≥ 5)',
    )
    .option('--rank-axis <axis>', 'preference: whose model ranks the queue: helpfulness or safety')
    .option('--cap <n>', 'preference: most answers a pair whose answers split may collect (1–20)')
    .option('--exploration <f>', 'preference: share of each batch drawn at random by hybrid (0–0.5)')
    .option('--license <text>', 'the license dataset cards name for exports (e.g. CC-BY-4.0)')
    .option('--gold-rate <f>', 'share of assignments that are gold items (0–0.5)')
    .option(
      '--repeat-rate <f>',
      'preference: share of assignments that repeat an earlier pair, sides swapped (0–0.5)',
    )
    .option('--gold-threshold <f>', 'flag annotators whose gold accuracy is clearly below this (0–1)')
    .option(
      '--adjudicate-below <f>',
      'send units whose leading answer has less than this share to adjudication (0–1)',
    )
    .option('--consensus-method <m>', 'auto (validated on gold), majority, dawid-skene or one-coin')
    .option(
      '--reliability-weights <yes|no>',
      'weight judgments by annotator reliability in consensus and training',
    )
    .option('--quality-refresh-every <n>', 'recompute the quality report after this many answers (≥ 10)')
    .option(
      '--safety-suggestions <yes|no>',
      'preference: show the safety model’s suggested flags to annotators',
    )
    .option('--suggest-from <p>', 'preference: suggest a flag category from this probability (0.05–1)')
    .option(
      '--risk-threshold <p|model>',
      'preference: P(unsafe) from which unflagged responses go to safety review; "model" uses the model’s',
    )
    .option(
      '--target-recall <r>',
      'preference: recall of unsafe responses a new safety model’s threshold is chosen for',
    )
    .option(
      '--category-map <file>',
      'preference: JSON map from imported safety data’s categories to flag categories',
    )
    .action(
      action(
        async (opts: {
          project: string;
          name?: string;
          description?: string;
          guidelinesFile?: string;
          redundancy?: string;
          leaseMinutes?: string;
          rationaleRequired?: string;
          safetyOverrides?: string;
          safetyMargin?: string;
          autoAcceptThreshold?: string;
          auditRate?: string;
          auditTolerance?: string;
          blind?: string;
          holdoutRate?: string;
          holdoutMax?: string;
          coldStartModel?: string;
          coldStartLabels?: string;
          policy?: string;
          retrainEvery?: string;
          rankAxis?: string;
          cap?: string;
          exploration?: string;
          license?: string;
          goldRate?: string;
          repeatRate?: string;
          goldThreshold?: string;
          adjudicateBelow?: string;
          consensusMethod?: string;
          reliabilityWeights?: string;
          qualityRefreshEvery?: string;
          safetySuggestions?: string;
          suggestFrom?: string;
          riskThreshold?: string;
          targetRecall?: string;
          categoryMap?: string;
        }) => {
          if (opts.categoryMap && !fs.existsSync(opts.categoryMap))
            throw new CliError(`No such file: ${opts.categoryMap}`);
          let guidelines: string | undefined;
          if (opts.guidelinesFile) {
            if (!fs.existsSync(opts.guidelinesFile))
              throw new CliError(`No such file: ${opts.guidelinesFile}`);
            guidelines = fs.readFileSync(opts.guidelinesFile, 'utf8');
          }
          await withDb('project set', async ({ db }) => {
            const found = await requireProject(db, opts.project);
            const outcome = await updateProjectSettings(
              db,
              found.id,
              {
                name: opts.name,
                description: opts.description,
                guidelines,
                redundancy: opts.redundancy,
                leaseMinutes: opts.leaseMinutes,
                rationaleRequired: opts.rationaleRequired as never,
                safetyOverrides: opts.safetyOverrides as never,
                safetyMargin: opts.safetyMargin,
                autoAcceptThreshold: opts.autoAcceptThreshold,
                auditRate: opts.auditRate,
                auditTolerance: opts.auditTolerance,
                blindPrelabels: opts.blind as never,
                holdoutRate: opts.holdoutRate,
                holdoutMax: opts.holdoutMax,
                coldStartModel: opts.coldStartModel,
                coldStartLabelMap: opts.coldStartLabels,
                alPolicy: opts.policy as never,
                alRetrainEvery: opts.retrainEvery,
                alAxis: opts.rankAxis as never,
                alCap: opts.cap,
                alExploration: opts.exploration,
                license: opts.license,
                goldRate: opts.goldRate,
                repeatRate: opts.repeatRate,
                goldThreshold: opts.goldThreshold,
                adjudicateBelow: opts.adjudicateBelow,
                consensusMethod: opts.consensusMethod as never,
                reliabilityWeights: opts.reliabilityWeights as never,
                qualityRefreshEvery: opts.qualityRefreshEvery,
                safetySuggestions: opts.safetySuggestions as never,
                safetySuggestThreshold: opts.suggestFrom,
                safetyRiskThreshold: opts.riskThreshold as never,
                safetyTargetRecall: opts.targetRecall,
                safetyCategoryMap: opts.categoryMap ? fs.readFileSync(opts.categoryMap, 'utf8') : undefined,
              },
              CLI_ACTOR,
              { modelsDir: config().modelsDir },
            );
            console.log(`Saved the settings of ${found.slug}.`);
            if (outcome.prelabelJobId) {
              // the same job a server would run, run here and now (no server may be up)
              const job = await runJobHere(db, outcome.prelabelJobId);
              if (job.status !== 'succeeded') throw new CliError(`Pre-labeling failed: ${job.error}`, 1);
              const result = job.result as unknown as ReprelabelOutcome;
              if (result.note) console.error(result.note);
              const r = result.routing;
              console.log(
                `Pre-labeled the waiting items again with ${result.by ?? 'nothing'}: ${r.human} to people, ${r.auto} accepted, ${r.audit} to audit.`,
              );
            }
            if (outcome.queueRefreshJobId) {
              const job = await runJobHere(db, outcome.queueRefreshJobId);
              if (job.status !== 'succeeded')
                throw new CliError(`Re-ranking the queue failed: ${job.error}`, 1);
              const r = job.result as unknown as RefreshResult;
              console.log(
                `Re-ranked the queue with ${r.policy}: ${r.ranked} of ${r.candidates} open pairs need answers, ${r.reasked} asked again, ${r.stopped} stopped early, ${r.skippedLeased} held pairs left as they were (${r.seconds.toFixed(1)} s).`,
              );
            }
          });
        },
      ),
    );

  project
    .command('access')
    .description('Restrict a project to its members, or open it to every annotator.')
    .requiredOption('--project <slug>', 'the project')
    .option('--members-only', 'only members get its pairs')
    .option('--everyone', 'every annotator gets its pairs')
    .action(
      action(async (opts: { project: string; membersOnly?: boolean; everyone?: boolean }) => {
        if (!!opts.membersOnly === !!opts.everyone)
          throw new CliError('Give exactly one of --members-only or --everyone.');
        await withDb('project access', async ({ db }) => {
          const found = await requireProject(db, opts.project);
          await setMembersOnly(db, found.id, !!opts.membersOnly, CLI_ACTOR);
          console.log(
            `${found.slug} is now ${opts.membersOnly ? 'open to its members only' : 'open to every annotator'}.`,
          );
        });
      }),
    );
}

/** Runs the queued job `jobId` (a pre-labeling pass or a queue re-ranking) in this process and waits for it. */
async function runJobHere(db: Parameters<typeof findJob>[0], jobId: string) {
  const stop = startWorker(db, {
    handlers: { [SENTIMENT_PRELABEL_JOB]: runReprelabelJob, [QUEUE_REFRESH_JOB]: runQueueRefreshJob },
    modelsDir: config().modelsDir,
    pollMs: 100,
    log: (line) => console.error(line),
  });
  try {
    for (;;) {
      const job = await findJob(db, jobId);
      if (!job) throw new CliError(`job ${jobId} disappeared`, 1);
      if (job.status === 'succeeded' || (job.status === 'failed' && job.finished_at)) return job;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await stop();
  }
}
