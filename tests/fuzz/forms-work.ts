/**
 * The daily work's form actions: comparing pairs and labeling items (and editing both afterwards),
 * adjudication, calibration, gold answers, safety review and the labelled-data upload.
 */
import fc from 'fast-check';
import { FLAG_CATEGORIES, SEVERITIES } from '../../db/schema';
import { FLAG_KEYS, SKIP_REASONS } from '../../tasks/judgments.schema';
import { checkbox, number, oneOf, ref, uuid, type FormTarget, type Value } from './http';
import { known, SCORE, segment, text } from './form-values';
import { preferenceFile } from './imports-preferences';
import type { World } from './world';

function judgmentFields(): Record<string, fc.Arbitrary<Value>> {
  const fields: Record<string, fc.Arbitrary<Value>> = {
    helpfulness: SCORE,
    safety: SCORE,
    bothUnacceptable: checkbox,
    rationale: text('Left is clearer.'),
    timeOnTaskMs: number,
  };
  for (const side of ['left', 'right'])
    for (const category of FLAG_KEYS.slice(0, 3)) {
      fields[`flag.${side}.${category}`] = checkbox;
      fields[`severity.${side}.${category}`] = oneOf(...SEVERITIES, 'none');
    }
  return fields;
}

export function annotationTargets(w: World): FormTarget[] {
  const skip = { reason: oneOf(...Object.keys(SKIP_REASONS), 'bored'), note: text('Not my field.') };
  return [
    {
      name: 'POST /compare',
      routeId: 'routes/compare',
      actor: 'annotator',
      path: fc.constantFrom('/compare', `/compare?project=${w.preference.slug}`),
      fields: {
        intent: oneOf('', 'skip'),
        assignmentId: ref('pair-lease'),
        judgmentId: uuid,
        ...skip,
        ...judgmentFields(),
      },
    },
    {
      name: 'POST /compare/history',
      routeId: 'routes/compare_.history',
      actor: 'annotator',
      path: fc.constant('/compare/history'),
      fields: { judgmentId: fc.oneof(ref('judgment'), known(w.preference.judgmentIds)), ...judgmentFields() },
    },
    {
      name: 'POST /label',
      routeId: 'routes/label',
      actor: 'annotator',
      path: fc.constantFrom('/label', `/label?project=${w.sentiment.slug}`),
      fields: {
        intent: oneOf('', 'skip'),
        assignmentId: ref('item-lease'),
        labelId: uuid,
        label: oneOf('negative', 'positive', 'Positive', 'mixed'),
        timeOnTaskMs: number,
        ...skip,
      },
    },
    {
      name: 'POST /label/history',
      routeId: 'routes/label_.history',
      actor: 'annotator',
      path: fc.constant('/label/history'),
      fields: { labelId: ref('label'), label: oneOf('negative', 'positive', 'mixed') },
    },
  ];
}

export function qualityTargets(w: World): FormTarget[] {
  const slugs = [w.preference.slug, w.sentiment.slug];
  const safetyFile = fc.record({
    bytes: fc.oneof(
      preferenceFile,
      fc.constant(Buffer.from('prompt,response,category,is_safe\nHi?,Yes.,{},True\n')),
    ),
    name: fc.constantFrom('labels.csv', 'labels.jsonl', 'labels.txt'),
  });
  const row = (i: number) => ({
    [`flagId.${i}`]: uuid,
    [`decision.${i}`]: oneOf('confirmed', 'dismissed', 'escalated', 'maybe'),
    [`category.${i}`]: oneOf(...FLAG_CATEGORIES, 'spam'),
    [`severity.${i}`]: oneOf(...SEVERITIES, 'none'),
  });
  return [
    {
      name: 'POST /adjudicate',
      routeId: 'routes/adjudicate',
      actor: 'lead',
      path: fc.constant('/adjudicate'),
      fields: {
        project: known(slugs),
        unitId: known([...w.preference.pairIds, ...w.sentiment.itemIds]),
        helpfulness: SCORE,
        safety: SCORE,
        label: oneOf('negative', 'positive', 'mixed'),
        note: text('Decided.'),
        promoteToGold: checkbox,
      },
    },
    {
      name: 'POST /calibration',
      routeId: 'routes/calibration',
      actor: 'lead',
      path: fc.constant('/calibration'),
      fields: { project: known(slugs) },
    },
    {
      name: 'POST /pairs/:pairId',
      routeId: 'routes/pairs.$pairId',
      actor: 'lead',
      path: segment(w.preference.pairIds).map((id) => `/pairs/${id}`),
      fields: {
        intent: oneOf('', 'unmark-gold'),
        helpfulness: SCORE,
        match: oneOf('direction', 'points', 'exact'),
        tolerance: number,
      },
    },
    {
      name: 'POST /items/:itemId',
      routeId: 'routes/items.$itemId',
      actor: 'lead',
      path: segment(w.sentiment.itemIds).map((id) => `/items/${id}`),
      fields: { intent: oneOf('', 'unmark-gold'), label: oneOf('negative', 'positive', 'mixed') },
    },
    {
      name: 'POST /review',
      routeId: 'routes/review',
      actor: 'safety_reviewer',
      path: fc.constantFrom('/review', `/review?project=${w.preference.slug}`),
      fields: {
        intent: oneOf('', 'retrain'),
        responseId: ref('response'),
        row: oneOf('0', '1'),
        note: text('ok'),
        ...row(0),
        ...row(1),
      },
    },
    {
      name: 'POST /review/labels',
      routeId: 'routes/review_.labels',
      actor: 'safety_reviewer',
      path: fc.constantFrom('/review/labels', `/review/labels?project=${w.preference.slug}`),
      fields: {},
      file: { field: 'labels', content: safetyFile },
      refused: (location) => location.includes('labelError='),
    },
  ];
}
