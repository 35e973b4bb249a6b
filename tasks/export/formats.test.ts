import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../db/schema';
import { contentHash } from '../content';
import { detectFormat, parseRecord } from '../import/formats';
import {
  ExportFormatError,
  exportRecords,
  MARGIN_FORMATS,
  PREFERENCE_FORMATS,
  preferenceMargin,
  unsupportedReason,
  type ExportPair,
  type PreferenceFormat,
} from './formats';

const single: ExportPair = {
  pairId: 'p1',
  messages: [{ role: 'user', content: 'Name a prime.' }],
  a: { text: '7', model: 'm1' },
  b: { text: '8', model: 'm2' },
  preferred: 'a',
  score: -2,
};

const system: ChatMessage = { role: 'system', content: 'Be brief.' };
const turns: ChatMessage[] = [
  { role: 'user', content: 'Hi!' },
  { role: 'assistant', content: 'Hello.' },
  { role: 'user', content: 'Capital of France?' },
];
/** multi-turn with a system message, B preferred */
const multi: ExportPair = {
  pairId: 'p2',
  messages: [system, ...turns],
  a: { text: 'Lyon.', model: 'm1' },
  b: { text: 'Paris.', model: 'm2' },
  preferred: 'b',
  score: 1.5,
};
/** multi-turn without a system message (what HH-RLHF can hold) */
const chat: ExportPair = { ...multi, pairId: 'p3', messages: turns };

const PAIRED: PreferenceFormat[] = ['trl', 'trl-conversational', 'hh-rlhf', 'openai'];

/** The ExportFormatError message `fn` throws. */
function formatError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExportFormatError);
    expect(error).toMatchObject({ field: 'format', code: 'unsupported' });
    return (error as Error).message;
  }
  throw new Error('expected an ExportFormatError, nothing was thrown');
}

describe('exportRecords: TRL standard', () => {
  it('writes a single-turn pair as strings, the preferred response as chosen', () => {
    expect(exportRecords('trl', single)).toEqual([{ prompt: 'Name a prime.', chosen: '7', rejected: '8' }]);
    expect(exportRecords('trl', { ...single, preferred: 'b', score: 1 })).toEqual([
      { prompt: 'Name a prime.', chosen: '8', rejected: '7' },
    ]);
  });

  it('refuses earlier turns and system messages, pointing to the conversational formats', () => {
    expect(formatError(() => exportRecords('trl', multi))).toBe(
      'pair p2: standard TRL records hold a single user turn; this conversation has a system message: export it as trl-conversational or openai',
    );
    expect(formatError(() => exportRecords('trl', chat))).toBe(
      'pair p3: standard TRL records hold a single user turn; this conversation has earlier turns: export it as trl-conversational or openai',
    );
    expect(unsupportedReason('trl', { ...single, messages: [system, ...single.messages] })).toMatch(
      /has a system message/,
    );
  });
});

describe('exportRecords: TRL conversational', () => {
  it('writes the prompt as messages and each answer as one assistant message', () => {
    expect(exportRecords('trl-conversational', single)).toEqual([
      {
        prompt: [{ role: 'user', content: 'Name a prime.' }],
        chosen: [{ role: 'assistant', content: '7' }],
        rejected: [{ role: 'assistant', content: '8' }],
      },
    ]);
    expect(exportRecords('trl-conversational', multi)).toEqual([
      {
        prompt: [system, ...turns],
        chosen: [{ role: 'assistant', content: 'Paris.' }],
        rejected: [{ role: 'assistant', content: 'Lyon.' }],
      },
    ]);
  });

  it('copies the messages, so the records share nothing with the pair', () => {
    const [record] = exportRecords('trl-conversational', multi) as { prompt: ChatMessage[] }[];
    record!.prompt[0]!.content = 'changed';
    expect(multi.messages[0]!.content).toBe('Be brief.');
  });
});

describe('exportRecords: HH-RLHF', () => {
  it('writes full transcripts ending with each final answer', () => {
    expect(exportRecords('hh-rlhf', single)).toEqual([
      {
        chosen: '\n\nHuman: Name a prime.\n\nAssistant: 7',
        rejected: '\n\nHuman: Name a prime.\n\nAssistant: 8',
      },
    ]);
    const context = '\n\nHuman: Hi!\n\nAssistant: Hello.\n\nHuman: Capital of France?';
    expect(exportRecords('hh-rlhf', chat)).toEqual([
      { chosen: `${context}\n\nAssistant: Paris.`, rejected: `${context}\n\nAssistant: Lyon.` },
    ]);
  });

  it('refuses system messages, a leading assistant turn and texts holding a turn separator', () => {
    expect(formatError(() => exportRecords('hh-rlhf', multi))).toBe(
      'pair p2: HH-RLHF transcripts have no system role; this conversation has a system message: export it as trl-conversational or openai',
    );
    expect(
      formatError(() =>
        exportRecords('hh-rlhf', {
          ...chat,
          messages: [{ role: 'assistant', content: 'Hi, I am a bot.' }, ...turns],
        }),
      ),
    ).toBe('pair p3: HH-RLHF transcripts start with a Human turn');
    const separator =
      'pair p1: a text holds "\\n\\nHuman:" or "\\n\\nAssistant:", which an HH-RLHF transcript reads as a new turn: export it as trl-conversational or openai';
    const injected = 'Sure.\n\nHuman: now say it again';
    expect(formatError(() => exportRecords('hh-rlhf', { ...single, a: { text: injected, model: '' } }))).toBe(
      separator,
    );
    expect(
      formatError(() => exportRecords('hh-rlhf', { ...single, b: { text: 'x\n\nAssistant: y', model: '' } })),
    ).toBe(separator);
    expect(
      formatError(() =>
        exportRecords('hh-rlhf', { ...single, messages: [{ role: 'user', content: 'Quote:\n\nHuman: hi' }] }),
      ),
    ).toBe(separator);
    // a "Human:" that does not follow a blank line is plain text to the importer
    expect(
      unsupportedReason('hh-rlhf', { ...single, a: { text: 'Human: hi\nAssistant: yo', model: '' } }),
    ).toBeNull();
  });
});

describe('exportRecords: OpenAI preference fine-tuning', () => {
  it('writes input.messages and one assistant message per output', () => {
    expect(exportRecords('openai', single)).toEqual([
      {
        input: { messages: [{ role: 'user', content: 'Name a prime.' }] },
        preferred_output: [{ role: 'assistant', content: '7' }],
        non_preferred_output: [{ role: 'assistant', content: '8' }],
      },
    ]);
    expect(exportRecords('openai', multi)).toEqual([
      {
        input: { messages: [system, ...turns] },
        preferred_output: [{ role: 'assistant', content: 'Paris.' }],
        non_preferred_output: [{ role: 'assistant', content: 'Lyon.' }],
      },
    ]);
  });
});

describe('exportRecords: KTO', () => {
  it('writes two unpaired records: the chosen answer labelled true, the rejected false', () => {
    expect(exportRecords('kto', single)).toEqual([
      { prompt: 'Name a prime.', completion: '7', label: true },
      { prompt: 'Name a prime.', completion: '8', label: false },
    ]);
    expect(exportRecords('kto', { ...single, preferred: 'b', score: 3 })).toEqual([
      { prompt: 'Name a prime.', completion: '8', label: true },
      { prompt: 'Name a prime.', completion: '7', label: false },
    ]);
  });

  it('holds a single user turn, like standard TRL', () => {
    expect(formatError(() => exportRecords('kto', multi))).toBe(
      'pair p2: standard KTO records hold a single user turn; this conversation has a system message: export it as trl-conversational or openai',
    );
  });
});

describe('margin', () => {
  it('is the graded strength toward the preferred response, 0 when the mean does not favour it', () => {
    expect(preferenceMargin({ preferred: 'a', score: -2 })).toBe(2);
    expect(preferenceMargin({ preferred: 'b', score: 1.5 })).toBe(1.5);
    expect(preferenceMargin({ preferred: 'a', score: 0 })).toBe(0);
    // a majority for A with a strongly-for-B minority, or a safety override
    expect(preferenceMargin({ preferred: 'a', score: 0.5 })).toBe(0);
    expect(preferenceMargin({ preferred: 'b', score: -3 })).toBe(0);
  });

  it('is added to TRL records only when asked for', () => {
    expect(exportRecords('trl', single, { margin: true })).toEqual([
      { prompt: 'Name a prime.', chosen: '7', rejected: '8', margin: 2 },
    ]);
    expect(exportRecords('trl-conversational', multi, { margin: true })).toEqual([
      expect.objectContaining({ margin: 1.5 }),
    ]);
    expect(exportRecords('trl', single, { margin: false })[0]).not.toHaveProperty('margin');
    expect(MARGIN_FORMATS).toEqual(['trl', 'trl-conversational']);
    for (const format of PREFERENCE_FORMATS.filter((f) => !MARGIN_FORMATS.includes(f))) {
      expect(formatError(() => exportRecords(format, single, { margin: true }))).toBe(
        `${format} records have no margin field; margins are for TRL formats`,
      );
    }
  });
});

describe('exportRecords: the pair contract', () => {
  it('throws on a conversation not ending with a user turn, an odd preference or score', () => {
    const ending = { ...single, messages: [...turns, { role: 'assistant' as const, content: 'Paris.' }] };
    expect(() => exportRecords('openai', ending)).toThrow(
      'pair p1: the conversation must end with a user turn',
    );
    expect(() => exportRecords('openai', { ...single, messages: [] })).toThrow(/must end with a user turn/);
    expect(() => exportRecords('openai', { ...single, preferred: 'tie' as 'a' })).toThrow(
      'pair p1: preferred must be "a" or "b"',
    );
    for (const score of [3.5, -4, Number.NaN]) {
      expect(() => exportRecords('openai', { ...single, score })).toThrow(
        'pair p1: score must be a number from -3 to 3',
      );
    }
  });
});

describe('round trips through the importer', () => {
  const tricky: ExportPair = {
    pairId: 'p4',
    messages: [
      { role: 'user', content: 'Écris un haïku sur la mer 🌊' },
      { role: 'assistant', content: '波の音\n静かな夜に\n月ひとつ' },
      { role: 'user', content: 'Now one line:\n  "quoted", with \\ and \t tab' },
    ],
    a: { text: 'Mer grise —\n\nun goéland crie. 🐦', model: 'm1' },
    b: { text: 'The sea.\r\nThe end.', model: 'm2' },
    preferred: 'a',
    score: -0.5,
  };
  const pairs = [single, multi, chat, tricky, { ...tricky, pairId: 'p5', messages: [tricky.messages[0]!] }];

  for (const format of PAIRED) {
    for (const margin of MARGIN_FORMATS.includes(format) ? [false, true] : [false]) {
      it(`${format}${margin ? ' with margin' : ''} re-imports to the same conversation and preference`, () => {
        for (const pair of pairs.filter((p) => unsupportedReason(format, p) === null)) {
          const [record, ...rest] = exportRecords(format, pair, { margin });
          expect(rest).toEqual([]);
          const roundTrip = JSON.parse(JSON.stringify(record));
          const detected = detectFormat(roundTrip);
          expect(detected).toBe(format === 'trl-conversational' ? 'trl' : format);
          const imported = parseRecord(detected!, roundTrip);
          const [chosen, rejected] = pair.preferred === 'a' ? [pair.a, pair.b] : [pair.b, pair.a];
          expect(imported.messages).toEqual(pair.messages);
          expect(imported.responses.map((r) => r.text)).toEqual([chosen.text, rejected.text]);
          expect(imported.preferredIndex).toBe(0);
        }
      });
    }
  }

  it('covers every kind of pair in some paired format, HH-RLHF the system-free ones', () => {
    expect(pairs.filter((p) => unsupportedReason('hh-rlhf', p) === null).map((p) => p.pairId)).toEqual([
      'p1',
      'p3',
      'p4',
      'p5',
    ]);
    expect(pairs.filter((p) => unsupportedReason('trl', p) === null).map((p) => p.pairId)).toEqual([
      'p1',
      'p5',
    ]);
  });

  it('HH-RLHF drops only surrounding whitespace, which the content hash ignores too', () => {
    const padded = {
      ...single,
      messages: [{ role: 'user' as const, content: '  Name a prime.\n' }],
      a: { text: '\n7  ', model: '' },
    };
    const imported = parseRecord('hh-rlhf', exportRecords('hh-rlhf', padded)[0]);
    expect(imported.messages).toEqual([{ role: 'user', content: 'Name a prime.' }]);
    expect(imported.responses[0]!.text).toBe('7');
    expect(contentHash(imported.messages)).toBe(contentHash(padded.messages));
    expect(contentHash(imported.responses[0]!.text)).toBe(contentHash(padded.a.text));
  });

  it('keeps a "\\n\\nHuman:" inside a response exactly in the formats with message lists', () => {
    const injected = { ...chat, b: { text: 'Paris.\n\nHuman: and Spain?\n\nAssistant: Madrid.', model: '' } };
    for (const format of ['trl-conversational', 'openai'] as const) {
      const record = exportRecords(format, injected)[0];
      expect(parseRecord(detectFormat(record)!, record).responses[0]!.text).toBe(injected.b.text);
    }
    expect(unsupportedReason('hh-rlhf', injected)).toMatch(/reads as a new turn/);
  });
});
