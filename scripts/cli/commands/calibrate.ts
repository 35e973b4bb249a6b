/**
 * `arbiter calibrate`: agreement and annotator quality of any crowd-label file (CSV, TSV or JSONL,
 * plain or gzip; long or wide), with accuracy against gold when a gold file is given. The numbers
 * come from tasks/quality/calibrate.ts; this file parses flags, reads the files and prints.
 */
import { Option, type Command } from 'commander';
import {
  calibrate,
  LEVELS,
  type CalibrationReport,
  type IntervalFigure,
} from '../../../tasks/quality/calibrate';
import { readCrowdFile, readGoldFile, type CrowdLayout } from '../../../tasks/quality/crowd-files';
import { parseLabelMap } from '../../../tasks/import/sentiment-records';
import { UserInputError } from '../../../tasks/errors';
import type { Level } from '../../../tasks/quality/agreement';
import { action, CliError, writeReport } from '../runtime';

interface CalibrateFlags {
  labels: string;
  itemCol: string;
  annotatorCol?: string;
  labelCol?: string;
  annotatorCols?: string;
  gold?: string;
  goldItemCol?: string;
  goldLabelCol?: string;
  labelsMap?: string;
  labelMap?: string;
  ignoreLabel?: string[];
  level: string;
  order?: string;
  resamples: string;
  seed: string;
  report: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** "a,b , c" → ["a", "b", "c"]; an empty entry or a repeat is an error naming the flag. */
function list(flag: string, value: string): string[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !p)) throw new CliError(`${flag} has an empty entry: "${value}".`);
  const repeat = parts.find((p, i) => parts.indexOf(p) !== i);
  if (repeat) throw new CliError(`${flag} names "${repeat}" twice.`);
  return parts;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}; got "${value}".`);
  return n;
}

/** The file layout the flags describe, or a CliError saying which combination is wrong. */
function layoutOf(opts: CalibrateFlags): CrowdLayout {
  const item = list('--item-col', opts.itemCol);
  if (opts.annotatorCols !== undefined) {
    if (opts.annotatorCol !== undefined || opts.labelCol !== undefined)
      throw new CliError(
        '--annotator-cols (a wide file: one label column per annotator) cannot be combined with --annotator-col or --label-col (a long file: one row per label).',
      );
    const annotators = list('--annotator-cols', opts.annotatorCols);
    const both = annotators.find((a) => item.includes(a));
    if (both) throw new CliError(`column "${both}" cannot be both in --item-col and in --annotator-cols.`);
    return { kind: 'wide', item, annotators };
  }
  if (opts.annotatorCol === undefined || opts.labelCol === undefined)
    throw new CliError(
      'give --annotator-col and --label-col (a long file: one row per label), or --annotator-cols (a wide file: one label column per annotator).',
    );
  const used = [...item, opts.annotatorCol, opts.labelCol];
  const twice = used.find((c, i) => used.indexOf(c) !== i);
  if (twice)
    throw new CliError(
      `column "${twice}" is named by more than one of --item-col, --annotator-col, --label-col.`,
    );
  return { kind: 'long', item, annotator: opts.annotatorCol, label: opts.labelCol };
}

function goldColumns(opts: CalibrateFlags, layout: CrowdLayout) {
  if (!opts.gold) {
    if (opts.goldItemCol !== undefined || opts.goldLabelCol !== undefined)
      throw new CliError('--gold-item-col and --gold-label-col need --gold <file>.');
    return null;
  }
  const label = opts.goldLabelCol ?? (layout.kind === 'long' ? layout.label : undefined);
  if (!label)
    throw new CliError("--gold with a wide file needs --gold-label-col (the gold file's label column).");
  const item = opts.goldItemCol === undefined ? [...layout.item] : list('--gold-item-col', opts.goldItemCol);
  if (item.length !== layout.item.length)
    throw new CliError(
      `--gold-item-col names ${item.length} column(s) but --item-col names ${layout.item.length}; the keys must have the same parts.`,
    );
  return { item, label };
}

function labelMapOf(opts: CalibrateFlags): Record<string, string> {
  if (opts.labelsMap !== undefined && opts.labelMap !== undefined)
    throw new CliError('give --labels-map once (--label-map is the same flag).');
  try {
    return parseLabelMap(opts.labelsMap ?? opts.labelMap);
  } catch (error) {
    if (error instanceof UserInputError) throw new CliError(`--labels-map: ${error.message}`);
    throw error;
  }
}

const fixed = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));
const withInterval = (i: IntervalFigure) => `${fixed(i.estimate)} [${fixed(i.low)}, ${fixed(i.high)}]`;

function summary(r: CalibrationReport): string[] {
  const ignored = Object.values(r.dropped.ignored).reduce((a, b) => a + b, 0);
  const reasons = [
    ignored && `${ignored} ignored`,
    r.dropped.empty_label && `${r.dropped.empty_label} empty`,
    r.dropped.duplicate && `${r.dropped.duplicate} repeated`,
  ].filter(Boolean);
  const lines = [
    `${r.items} items, ${r.annotators} annotators, ${r.rows} labels in ${r.labels.length} classes` +
      (r.dropped.total ? `; dropped ${r.dropped.total} (${reasons.join(', ')})` : ''),
    `Fleiss' kappa ${withInterval(r.fleiss_kappa)}, Krippendorff's alpha (${r.krippendorff_alpha.metric}) ` +
      `${withInterval(r.krippendorff_alpha)}: ${100 * r.bootstrap.confidence}% intervals, ${r.bootstrap.resamples} resamples, seed ${r.bootstrap.seed}`,
  ];
  if (r.gold && r.majority_vote_accuracy && r.dawid_skene_accuracy && r.one_coin_accuracy) {
    const acc = (a: typeof r.majority_vote_accuracy) => `${fixed(a.accuracy)} (${a.correct}/${a.n})`;
    const g = r.gold;
    const left = [
      g.unmatched && `${g.unmatched} unlabelled`,
      g.ignored && `${g.ignored} with an ignored label`,
    ];
    const note = left.filter(Boolean).join(', ');
    lines.push(
      `gold: ${g.matched} of ${g.items} gold items scored${note ? ` (${note})` : ''}; accuracy: majority vote ${acc(r.majority_vote_accuracy)}, ` +
        `Dawid-Skene ${acc(r.dawid_skene_accuracy)}, one-coin ${acc(r.one_coin_accuracy)}`,
      `consensus: ${r.consensus_method!.reason}`,
    );
  }
  return lines;
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'Agreement (Fleiss, Krippendorff with bootstrap intervals) and annotator quality of a crowd-label file; with --gold, the accuracy of majority vote and Dawid-Skene.',
    )
    .requiredOption('--labels <file>', 'crowd labels: CSV, TSV or JSONL, plain or .gz')
    .requiredOption(
      '--item-col <cols>',
      'the column(s) naming the item; several (a,b,c) form one composite key',
    )
    .option('--annotator-col <col>', 'long file (one row per label): the annotator column')
    .option('--label-col <col>', 'long file: the label column')
    .option(
      '--annotator-cols <cols>',
      "wide file (one row per item): the columns holding each annotator's label",
    )
    .option('--gold <file>', 'gold labels per item: CSV, TSV or JSONL')
    .option('--gold-item-col <cols>', "the gold file's item key column(s) (default: --item-col)")
    .option('--gold-label-col <col>', "the gold file's label column (default: --label-col)")
    .option('--labels-map <map>', 'rename labels in both files, e.g. 1=a,2=b,0=tie')
    .addOption(new Option('--label-map <map>').hideHelp())
    .option(
      '--ignore-label <label>',
      'a label meaning "no answer": drop those rows (repeatable or comma-separated)',
      collect,
    )
    .option('--level <level>', `Krippendorff's alpha metric: ${LEVELS.join(', ')}`, 'nominal')
    .option(
      '--order <labels>',
      'the labels from low to high (ordinal/interval on non-numeric labels; also the class order)',
    )
    .option('--resamples <n>', 'bootstrap resamples for the intervals', '1000')
    .option('--seed <n>', 'bootstrap seed', '1')
    .requiredOption('--report <file>', 'where to write the JSON report')
    .action(
      action(async (opts: CalibrateFlags) => {
        const layout = layoutOf(opts);
        const goldCols = goldColumns(opts, layout);
        if (!LEVELS.includes(opts.level as Level))
          throw new CliError(`--level must be one of ${LEVELS.join(', ')}; got "${opts.level}".`);
        const options = {
          labelMap: labelMapOf(opts),
          ignore: (opts.ignoreLabel ?? []).flatMap((v) => list('--ignore-label', v)),
          level: opts.level as Level,
          order: opts.order === undefined ? undefined : list('--order', opts.order),
          resamples: integer('--resamples', opts.resamples, 1, 100_000),
          seed: integer('--seed', opts.seed, 0, 2 ** 32 - 1),
        };
        const crowd = await readCrowdFile(opts.labels, layout);
        console.error(
          `read ${crowd.rows.length} labels from ${crowd.records} records of ${opts.labels} (${crowd.format}, ${layout.kind})`,
        );
        const gold = goldCols && opts.gold ? await readGoldFile(opts.gold, goldCols) : null;
        if (gold) console.error(`read ${gold.gold.size} gold labels from ${opts.gold} (${gold.empty} empty)`);
        const started = performance.now();
        const report = calibrate(crowd.rows, { ...options, gold: gold?.gold });
        writeReport(opts.report, {
          labels_file: opts.labels,
          gold_file: opts.gold ?? null,
          layout: { ...layout, item: [...layout.item] },
          labels_map: options.labelMap,
          ignore_labels: options.ignore,
          ...report,
          seconds: (performance.now() - started) / 1000,
        });
        for (const line of summary(report)) console.log(line);
        console.log(`report → ${opts.report}`);
      }),
    );
}
