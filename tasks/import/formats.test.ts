import { describe, expect, it } from 'vitest';
import { detectFormat, parseRecord, parseTranscript, RecordError } from './formats';

/** The RecordError message `fn` throws (fails the test when it does not throw one). */
function recordError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RecordError);
    return (error as Error).message;
  }
  throw new Error('expected a RecordError, nothing was thrown');
}

describe('detectFormat', () => {
  it('recognizes the native format by its "responses" list', () => {
    expect(detectFormat({ prompt: 'Hi', responses: [] })).toBe('arbiter');
    // "responses" wins even when chosen/rejected are present too
    expect(detectFormat({ responses: [], chosen: 'a', rejected: 'b' })).toBe('arbiter');
  });

  it('tells HH-RLHF transcripts from TRL records', () => {
    expect(
      detectFormat({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: a\n\nAssistant: c' }),
    ).toBe('hh-rlhf');
    expect(detectFormat({ prompt: 'a', chosen: 'b', rejected: 'c' })).toBe('trl');
    expect(
      detectFormat({
        chosen: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
        rejected: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'c' },
        ],
      }),
    ).toBe('trl');
  });

  it('recognizes OpenAI preference fine-tuning records by "preferred_output"', () => {
    expect(
      detectFormat({
        input: { messages: [{ role: 'user', content: 'a' }] },
        preferred_output: [{ role: 'assistant', content: 'b' }],
        non_preferred_output: [{ role: 'assistant', content: 'c' }],
      }),
    ).toBe('openai');
    expect(detectFormat({ preferred_output: [] })).toBe('openai');
  });

  it('returns null for anything else', () => {
    expect(detectFormat(null)).toBeNull();
    expect(detectFormat(undefined)).toBeNull();
    expect(detectFormat('chosen')).toBeNull();
    expect(detectFormat(42)).toBeNull();
    expect(detectFormat([{ responses: [] }])).toBeNull();
    expect(detectFormat({})).toBeNull();
    expect(detectFormat({ chosen: 'a' })).toBeNull();
    expect(detectFormat({ prompt: 'a', rejected: 'b' })).toBeNull();
    expect(detectFormat({ text: 'a', label: 'positive' })).toBeNull();
  });
});

describe('parseTranscript', () => {
  it('splits a multi-turn transcript into trimmed user/assistant messages', () => {
    const transcript =
      '\n\nHuman: What is a good name for a cat?  \n\nAssistant:   How about Miso?\n\n' +
      'Human: Something longer.\nWith two lines.\n\nAssistant:Sir Pounce-a-lot';
    expect(parseTranscript(transcript)).toEqual([
      { role: 'user', content: 'What is a good name for a cat?' },
      { role: 'assistant', content: 'How about Miso?' },
      { role: 'user', content: 'Something longer.\nWith two lines.' },
      { role: 'assistant', content: 'Sir Pounce-a-lot' },
    ]);
  });

  it('accepts a transcript that does not start with "\\n\\n"', () => {
    expect(parseTranscript('  Human: hi\n\nAssistant: hello')).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
  });

  it('keeps a "Human:" that is not preceded by a blank line inside the message', () => {
    expect(parseTranscript('\n\nHuman: quote: "Human: no"\n\nAssistant: ok')).toEqual([
      { role: 'user', content: 'quote: "Human: no"' },
      { role: 'assistant', content: 'ok' },
    ]);
  });

  it('rejects text without turns and text before the first turn', () => {
    expect(recordError(() => parseTranscript('just some text'))).toBe(
      'no "Human:" or "Assistant:" turns found in the transcript',
    );
    expect(recordError(() => parseTranscript('Preamble\n\nHuman: hi\n\nAssistant: hello'))).toBe(
      'the transcript must start with a "Human:" turn',
    );
  });
});

describe('parseRecord hh-rlhf', () => {
  const context =
    '\n\nHuman: Can you help me bake bread?\n\nAssistant: Sure, what kind?\n\nHuman: Sourdough.';

  it('keeps the shared context and the two final answers, the chosen one preferred', () => {
    const record = parseRecord('hh-rlhf', {
      chosen: `${context}\n\nAssistant: Start with an active starter.`,
      rejected: `${context}\n\nAssistant: Buy some at the store.`,
    });
    expect(record).toEqual({
      messages: [
        { role: 'user', content: 'Can you help me bake bread?' },
        { role: 'assistant', content: 'Sure, what kind?' },
        { role: 'user', content: 'Sourdough.' },
      ],
      responses: [
        { model: '', text: 'Start with an active starter.' },
        { model: '', text: 'Buy some at the store.' },
      ],
      language: null,
      domain: null,
      meta: {},
      preferredIndex: 0,
    });
  });

  it('says clearly what is wrong with a pair of transcripts', () => {
    expect(
      recordError(() =>
        parseRecord('hh-rlhf', {
          chosen: '\n\nHuman: A?\n\nAssistant: yes',
          rejected: '\n\nHuman: B?\n\nAssistant: no',
        }),
      ),
    ).toBe('chosen and rejected differ before their final assistant turn');
    expect(
      recordError(() =>
        parseRecord('hh-rlhf', {
          chosen: '\n\nHuman: A?\n\nAssistant:',
          rejected: '\n\nHuman: A?\n\nAssistant: no',
        }),
      ),
    ).toBe('chosen: the final assistant turn is empty');
    expect(
      recordError(() =>
        parseRecord('hh-rlhf', {
          chosen: '\n\nHuman: A?\n\nAssistant: yes',
          rejected: '\n\nHuman: A?\n\nAssistant:  ',
        }),
      ),
    ).toBe('rejected: the final assistant turn is empty');
    expect(
      recordError(() =>
        parseRecord('hh-rlhf', {
          chosen: '\n\nHuman: A?\n\nAssistant: yes\n\nHuman: and?',
          rejected: '\n\nHuman: A?\n\nAssistant: no\n\nHuman: and?',
        }),
      ),
    ).toBe('chosen and rejected must each end with an assistant turn');
    expect(
      recordError(() =>
        parseRecord('hh-rlhf', {
          chosen: '\n\nHuman: A?\n\nAssistant:  same answer ',
          rejected: '\n\nHuman: A?\n\nAssistant: same answer',
        }),
      ),
    ).toBe('needs at least two different responses to compare');
    expect(recordError(() => parseRecord('hh-rlhf', { chosen: ['x'], rejected: 'y' }))).toBe(
      'chosen: chosen must be a transcript string',
    );
    expect(recordError(() => parseRecord('hh-rlhf', { chosen: '\n\nHuman: A?\n\nAssistant: yes' }))).toBe(
      'rejected: rejected must be a transcript string',
    );
  });

  it('treats answers differing only in line-ending style as the same response', () => {
    expect(
      recordError(() =>
        parseRecord('hh-rlhf', {
          chosen: '\n\nHuman: A?\n\nAssistant: one\r\ntwo',
          rejected: '\n\nHuman: A?\n\nAssistant: one\ntwo',
        }),
      ),
    ).toBe('needs at least two different responses to compare');
  });
});

describe('parseRecord trl', () => {
  it('reads a string prompt with string answers', () => {
    expect(parseRecord('trl', { prompt: 'Name a prime.', chosen: '7', rejected: '8' })).toEqual({
      messages: [{ role: 'user', content: 'Name a prime.' }],
      responses: [
        { model: '', text: '7' },
        { model: '', text: '8' },
      ],
      language: null,
      domain: null,
      meta: {},
      preferredIndex: 0,
    });
  });

  it('reads a conversational prompt with assistant message lists', () => {
    const record = parseRecord('trl', {
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      chosen: [{ role: 'assistant', content: 'Paris.' }],
      rejected: [{ role: 'assistant', content: 'Lyon.' }],
    });
    expect(record.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    expect(record.responses).toEqual([
      { model: '', text: 'Paris.' },
      { model: '', text: 'Lyon.' },
    ]);
    expect(record.preferredIndex).toBe(0);
  });

  it('reads implicit-prompt conversations (no "prompt", full conversations)', () => {
    const shared = [
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Tell me a joke.' },
    ];
    const record = parseRecord('trl', {
      chosen: [...shared, { role: 'assistant', content: 'Why did the chicken…' }],
      rejected: [...shared, { role: 'assistant', content: 'No.' }],
    });
    expect(record.messages).toEqual(shared);
    expect(record.responses.map((r) => r.text)).toEqual(['Why did the chicken…', 'No.']);
    expect(record.preferredIndex).toBe(0);
  });

  it('ignores other columns such as TRL\'s "margin"', () => {
    expect(parseRecord('trl', { prompt: 'Name a prime.', chosen: '7', rejected: '8', margin: 2 })).toEqual(
      parseRecord('trl', { prompt: 'Name a prime.', chosen: '7', rejected: '8' }),
    );
  });

  it('names the field that is wrong', () => {
    const missing = recordError(() => parseRecord('trl', { prompt: 'Q?', rejected: 'a' }));
    expect(missing).toMatch(/^chosen: /);
    expect(recordError(() => parseRecord('trl', { prompt: 'Q?', chosen: 'a' }))).toMatch(/^rejected: /);
    expect(
      recordError(() => parseRecord('trl', { chosen: 'a', rejected: [{ role: 'assistant', content: 'b' }] })),
    ).toBe('without "prompt", chosen and rejected must be message lists');
    expect(
      recordError(() =>
        parseRecord('trl', {
          chosen: [{ role: 'assistant', content: 'a' }],
          rejected: [{ role: 'assistant', content: 'b' }],
        }),
      ),
    ).toBe('the conversation before the final assistant turn must end with a user turn');
    expect(
      recordError(() =>
        parseRecord('trl', {
          prompt: 'Q?',
          chosen: [{ role: 'user', content: 'a' }],
          rejected: [{ role: 'assistant', content: 'b' }],
        }),
      ),
    ).toBe('chosen and rejected must each end with an assistant turn');
    expect(recordError(() => parseRecord('trl', { prompt: 'Q?', chosen: 'same', rejected: 'same ' }))).toBe(
      'needs at least two different responses to compare',
    );
  });
});

describe('parseRecord arbiter', () => {
  const responses = [
    { model: 'm1', text: 'First answer' },
    { model: 'm2', text: 'Second answer' },
    { text: 'Third answer' },
  ];

  it('reads a plain prompt, models, meta and the preferred index', () => {
    expect(
      parseRecord('arbiter', {
        prompt: 'Explain tides.',
        responses,
        meta: { language: 'en', domain: 'science', source: 'unit' },
        preferred: 2,
      }),
    ).toEqual({
      messages: [{ role: 'user', content: 'Explain tides.' }],
      responses: [
        { model: 'm1', text: 'First answer' },
        { model: 'm2', text: 'Second answer' },
        { model: '', text: 'Third answer' },
      ],
      language: 'en',
      domain: 'science',
      meta: { language: 'en', domain: 'science', source: 'unit' },
      preferredIndex: 2,
    });
  });

  it('reads a conversation in "messages" and leaves an unlabelled record unlabelled', () => {
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Explain tides.' },
    ];
    const record = parseRecord('arbiter', { messages, responses });
    expect(record.messages).toEqual(messages);
    expect(record.preferredIndex).toBeUndefined();
    expect(record.language).toBeNull();
    expect(record.domain).toBeNull();
    expect(record.meta).toEqual({});
  });

  it('wants exactly one of "prompt" and "messages", ending with a user turn', () => {
    const both = { prompt: 'x', messages: [{ role: 'user', content: 'x' }], responses };
    expect(recordError(() => parseRecord('arbiter', both))).toBe(
      'give either "prompt" or "messages", not both and not neither',
    );
    expect(recordError(() => parseRecord('arbiter', { responses }))).toBe(
      'give either "prompt" or "messages", not both and not neither',
    );
    expect(
      recordError(() =>
        parseRecord('arbiter', {
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: 'y' },
          ],
          responses,
        }),
      ),
    ).toBe('messages: the conversation in "messages" must end with a user turn');
    expect(
      recordError(() => parseRecord('arbiter', { messages: [{ role: 'robot', content: 'x' }], responses })),
    ).toBe('messages.0.role: role must be "system", "user" or "assistant"');
  });

  it('validates "preferred" against the responses', () => {
    for (const preferred of [3, -1, 1.5, '0', null, true]) {
      expect(recordError(() => parseRecord('arbiter', { prompt: 'x', responses, preferred }))).toBe(
        'preferred: must be the index of one of the 3 responses',
      );
    }
    expect(parseRecord('arbiter', { prompt: 'x', responses, preferred: 0 }).preferredIndex).toBe(0);
  });

  it('needs a list of at least two different responses', () => {
    expect(recordError(() => parseRecord('arbiter', { prompt: 'x' }))).toContain(
      'must be a list of responses',
    );
    expect(recordError(() => parseRecord('arbiter', { prompt: 'x', responses: 'a, b' }))).toContain(
      'must be a list of responses',
    );
    expect(recordError(() => parseRecord('arbiter', { prompt: 'x', responses: [{ text: 'only' }] }))).toBe(
      'responses: needs at least two responses to compare',
    );
    expect(
      recordError(() => parseRecord('arbiter', { prompt: 'x', responses: [{ text: 'a' }, { text: '' }] })),
    ).toBe('responses.1.text: response text is empty');
    expect(
      recordError(() =>
        parseRecord('arbiter', { prompt: 'x', responses: [{ text: 'same' }, { text: '  same\n' }] }),
      ),
    ).toBe('needs at least two different responses to compare');
  });
});

describe('parseRecord openai', () => {
  const input = {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Capital of France?' },
    ],
  };
  const answer = (content: string) => [{ role: 'assistant', content }];

  it('keeps input.messages and the two outputs, the preferred one first', () => {
    expect(
      parseRecord('openai', {
        input: { ...input, tools: [], parallel_tool_calls: true },
        preferred_output: answer('Paris.'),
        non_preferred_output: answer('Lyon.'),
      }),
    ).toEqual({
      messages: input.messages,
      responses: [
        { model: '', text: 'Paris.' },
        { model: '', text: 'Lyon.' },
      ],
      language: null,
      domain: null,
      meta: {},
      preferredIndex: 0,
    });
  });

  it('names the field that is wrong', () => {
    const record = { input, preferred_output: answer('Paris.'), non_preferred_output: answer('Lyon.') };
    expect(recordError(() => parseRecord('openai', { ...record, input: undefined }))).toBe(
      'input: input must be an object with "messages"',
    );
    expect(recordError(() => parseRecord('openai', { ...record, input: { messages: 'Hi' } }))).toBe(
      'input.messages: input.messages must be a list of messages',
    );
    expect(recordError(() => parseRecord('openai', { ...record, non_preferred_output: undefined }))).toBe(
      'non_preferred_output: non_preferred_output must be a list holding one assistant message',
    );
    expect(
      recordError(() =>
        parseRecord('openai', { ...record, preferred_output: [...answer('Paris.'), ...answer('Yes.')] }),
      ),
    ).toBe('preferred_output: preferred_output must hold exactly one assistant message');
    expect(
      recordError(() =>
        parseRecord('openai', { ...record, preferred_output: [{ role: 'user', content: 'Paris.' }] }),
      ),
    ).toBe('preferred_output.0.role: preferred_output must hold an assistant message');
    expect(
      recordError(() =>
        parseRecord('openai', { ...record, input: { messages: [...input.messages, ...answer('Hmm.')] } }),
      ),
    ).toBe('the conversation before the final assistant turn must end with a user turn');
    expect(
      recordError(() => parseRecord('openai', { ...record, non_preferred_output: answer('Paris. ') })),
    ).toBe('needs at least two different responses to compare');
  });
});
