/** Reads the demo data shipped in scripts/demo/, validating every line like an import would. */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  NativePreferenceRecordSchema,
  NativeSentimentRecordSchema,
  type NativePreferenceRecord,
  type NativeSentimentRecord,
} from '../../tasks/records';
import { CliError, EXIT } from './runtime';
import { readSafetyFile, type SafetyRow } from '../../tasks/safety/files';

const DEMO_DIR = path.resolve(import.meta.dirname, '..', 'demo');

function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CliError(`${file}:${index + 1}: not valid JSON (${(error as Error).message})`, EXIT.failure);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CliError(
        `${file}:${index + 1}: ${issue.path.join('.') || 'record'}: ${issue.message}`,
        EXIT.failure,
      );
    }
    out.push(parsed.data);
  });
  return out;
}

export function loadDemoData(): { preference: NativePreferenceRecord[]; sentiment: NativeSentimentRecord[] } {
  return {
    preference: readJsonl(path.join(DEMO_DIR, 'preference.jsonl'), NativePreferenceRecordSchema),
    sentiment: readJsonl(path.join(DEMO_DIR, 'sentiment.jsonl'), NativeSentimentRecordSchema),
  };
}

/** The demo's labelled safety rows (BeaverTails layout), read like `arbiter safety import` reads a file. */
export function loadDemoSafety(): SafetyRow[] {
  return readSafetyFile(path.join(DEMO_DIR, 'safety.jsonl')).rows;
}
