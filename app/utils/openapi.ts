/**
 * The researchers' API described as OpenAPI 3.1, served at /api/v1/openapi.json. Written by hand
 * next to the routes it describes; tests/integration/api.test.ts checks every documented path
 * answers and every API route is documented.
 */
const bearer = [{ bearer: [] }];
const error = { $ref: '#/components/responses/Error' };
const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const id = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
});
const slug = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };

const Export = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    format: { type: 'string' },
    encoding: { type: 'string', enum: ['jsonl', 'csv', 'parquet'] },
    status: { type: 'string', enum: ['pending', 'running', 'ready', 'failed'] },
    rows: { type: ['integer', 'null'] },
    bytes: { type: ['integer', 'null'] },
    sha256: { type: ['string', 'null'] },
    filters: { type: 'object' },
    created_at: { type: 'string', format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
    error: { type: ['string', 'null'] },
    download: { type: ['string', 'null'], description: 'the file, once ready' },
  },
};

const Axis = {
  type: 'object',
  properties: {
    score: { type: 'number', description: 'mean graded score, −3..3; negative favours response A' },
    direction: { type: 'string', enum: ['a', 'b', 'tie'] },
    agreement: { type: 'number' },
    level: { type: 'string', enum: ['unanimous', 'strong', 'majority', 'split'] },
    judgments: { type: 'integer' },
  },
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Arbiter researchers’ API',
    version: '1',
    description:
      'Read-only access to projects, export snapshots, pair consensus and reward-model scores. Every request carries an API token (Authorization: Bearer arb_…), created on the account page with the scopes it needs (read, export, score) and optionally limited to one project.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    responses: {
      Error: json(
        { type: 'object', properties: { error: { type: 'string' }, field: { type: ['string', 'null'] } } },
        'An error, in words',
      ),
    },
  },
  security: bearer,
  paths: {
    '/api/v1/me': {
      get: {
        summary: 'Who the token acts for, its scopes and project',
        responses: { 200: json({ type: 'object' }, 'The token'), 401: error },
      },
    },
    '/api/v1/projects': {
      get: {
        summary: 'Projects the token may reach, with progress',
        responses: { 200: json({ type: 'object' }, 'Projects'), 401: error },
      },
    },
    '/api/v1/projects/{slug}/exports': {
      parameters: [slug],
      get: {
        summary: "The project's export snapshots (scope read)",
        responses: {
          200: json(
            { type: 'object', properties: { exports: { type: 'array', items: Export } } },
            'Snapshots',
          ),
          401: error,
          403: error,
          404: error,
        },
      },
      post: {
        summary: 'Start an export snapshot (scope export)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['format'],
                properties: {
                  format: {
                    type: 'string',
                    enum: [
                      'trl',
                      'trl-conversational',
                      'hh-rlhf',
                      'openai',
                      'kto',
                      'judgments',
                      'consensus',
                      'sentiment',
                    ],
                  },
                  csv: { type: 'boolean' },
                  parquet: { type: 'boolean', description: 'judgments and consensus only' },
                  margin: { type: 'boolean' },
                  filters: {
                    type: 'object',
                    properties: {
                      axis: { type: 'string', enum: ['helpfulness', 'safety'] },
                      since: { type: 'string', format: 'date' },
                      until: { type: 'string', format: 'date' },
                      minAgreement: { type: 'number' },
                      minJudgments: { type: 'integer' },
                      minReliability: { type: 'number' },
                      minGoldAccuracy: { type: 'number' },
                      excludeGold: { type: 'boolean' },
                      excludeRepeats: { type: 'boolean' },
                      ties: { type: 'string', enum: ['drop', 'keep'] },
                      safetyOverrides: { type: 'string', enum: ['project', 'yes', 'no'] },
                      reliabilityWeighted: { type: 'string', enum: ['project', 'yes', 'no'] },
                    },
                  },
                },
              },
            },
          },
        },
        responses: {
          202: json(
            {
              type: 'object',
              properties: { id: { type: 'string' }, status: { type: 'string' }, url: { type: 'string' } },
            },
            'Started',
          ),
          400: error,
          401: error,
          403: error,
          404: error,
        },
      },
    },
    '/api/v1/exports/{id}': {
      parameters: [id('id')],
      get: {
        summary: 'A snapshot: status, counts, dataset card (scope read)',
        responses: { 200: json(Export, 'The snapshot'), 401: error, 403: error, 404: error },
      },
    },
    '/api/v1/exports/{id}/download': {
      parameters: [id('id')],
      get: {
        summary: "A ready snapshot's file, byte-identical on every download (scope export)",
        responses: {
          200: {
            description: 'The file (JSON lines or CSV); X-Content-SHA256 carries its hash',
            content: { 'application/x-ndjson': {}, 'text/csv': {} },
          },
          401: error,
          403: error,
          404: error,
          409: error,
        },
      },
    },
    '/api/v1/pairs/{id}/consensus': {
      parameters: [id('id')],
      get: {
        summary: "A pair's consensus on both axes and its preference (scope read)",
        responses: {
          200: json(
            {
              type: 'object',
              properties: {
                pair_id: { type: 'string' },
                project: { type: 'string' },
                judgments: { type: 'integer' },
                helpfulness: Axis,
                safety: Axis,
                preferred: { type: 'string', enum: ['a', 'b', 'tie'] },
                basis: { type: 'string', enum: ['helpfulness', 'safety'] },
                adjudicated: { type: 'boolean' },
              },
            },
            'Consensus',
          ),
          401: error,
          403: error,
          404: error,
        },
      },
    },
    '/api/v1/projects/{slug}/score': {
      parameters: [slug],
      post: {
        summary: "Score pairs with the project's active reward model (scope score)",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['pairs'],
                properties: {
                  axis: { type: 'string', enum: ['helpfulness', 'safety'] },
                  pairs: {
                    type: 'array',
                    maxItems: 100,
                    items: {
                      type: 'object',
                      required: ['prompt', 'a', 'b'],
                      properties: {
                        prompt: { type: 'string' },
                        a: { type: 'string' },
                        b: { type: 'string' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        responses: {
          200: json(
            { type: 'object' },
            'One score per pair: reward_a, reward_b, probability_a, uncertainty, spread',
          ),
          400: error,
          401: error,
          403: error,
          404: error,
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        summary: 'This document',
        security: [],
        responses: { 200: json({ type: 'object' }, 'OpenAPI 3.1') },
      },
    },
  },
} as const;
