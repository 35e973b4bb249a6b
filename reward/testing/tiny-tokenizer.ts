/**
 * A tiny uncased WordPiece tokenizer in the Hugging Face `tokenizer.json` format, written from
 * scratch for tests that must run without the shared model directory. Its vocabulary holds every
 * ASCII letter and digit both as a word start and as a `##` continuation, so any ASCII text
 * tokenizes without [UNK]; a few common words make some tokens longer than a letter.
 */
import fs from 'node:fs';
import path from 'node:path';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const PUNCTUATION = [...'.,!?;:\'"()-/'];
const WORDS = ['the', 'a', 'is', 'and', 'of', 'to', 'in', 'it', 'this', 'that', 'answer', 'question'];
const PIECES = ['##s', '##ing', '##ed', '##ly'];

function buildVocab(extraWords: readonly string[]): Record<string, number> {
  const tokens = [
    ...SPECIALS,
    ...CHARS,
    ...CHARS.map((c) => `##${c}`),
    ...PUNCTUATION,
    ...WORDS,
    ...PIECES,
    ...extraWords,
  ];
  return Object.fromEntries([...new Set(tokens)].map((token, id) => [token, id]));
}

function special(id: string, type_id: number) {
  return { SpecialToken: { id, type_id } };
}

export interface TinyTokenizerOptions {
  /** whole words to add to the vocabulary (a classifier test's cue words), after the built-in ones */
  words?: readonly string[];
  /** merged into config.json (a classifier's `id2label`, `architectures`, …) */
  config?: Record<string, unknown>;
}

/**
 * Writes `tokenizer.json`, `tokenizer_config.json` and `config.json` (model_type bert) into `dir`,
 * the three files Transformers.js reads besides the ONNX weights, and returns the vocabulary size
 * and the vocabulary. Deterministic: the same options always write the same files.
 */
export function writeTinyTokenizer(
  dir: string,
  options: TinyTokenizerOptions = {},
): { vocabSize: number; vocab: Record<string, number> } {
  const vocab = buildVocab(options.words ?? []);
  const id = (token: string) => vocab[token]!;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]', 0)],
      pair: [
        special('[CLS]', 0),
        { Sequence: { id: 'A', type_id: 0 } },
        special('[SEP]', 0),
        { Sequence: { id: 'B', type_id: 1 } },
        special('[SEP]', 1),
      ],
      special_tokens: Object.fromEntries(
        (['[CLS]', '[SEP]'] as const).map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
  const vocabSize = Object.keys(vocab).length;
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocabSize,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: id('[PAD]'),
    ...options.config,
  };
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, value: unknown) =>
    fs.writeFileSync(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  write('tokenizer.json', tokenizer);
  write('tokenizer_config.json', tokenizerConfig);
  write('config.json', config);
  return { vocabSize, vocab };
}
