/**
 * The HTTP side of the fuzz properties: form values (plausible, hostile, repeated, missing, and
 * references to live rows resolved when the request is sent), sending a form to a route as a
 * browser (a document request) or as Remix's fetch (`?_data=`), and the rule every response must
 * keep: never a 5xx; a refusal carries a message; a refused fetch changed no data.
 */
import http from 'node:http';
import fc from 'fast-check';
import type { FuzzClient } from './client';
import { hostileString } from './arbitraries';
import { FuzzViolation, shown } from './runner';
import { snapshot, type Actor, type World } from './world';

/** A reference to a live row of the world, looked up when the request is sent. */
export interface Ref {
  /** the annotator's pair lease or item lease (one is leased first when none is live), judgment, label; a response of the preference project */
  ref: 'pair-lease' | 'item-lease' | 'judgment' | 'label' | 'response';
  index: number;
}
export type Value = string | Ref;
export type Form = Record<string, Value[]>;

export const ref = (kind: Ref['ref']): fc.Arbitrary<Value> =>
  fc.nat({ max: 7 }).map((index) => ({ ref: kind, index }));
export const oneOf = (...values: string[]): fc.Arbitrary<Value> => fc.constantFrom(...values);
/** A number as a form sends it: mostly small and sensible, sometimes not a number a schema takes. */
export const number: fc.Arbitrary<Value> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 10 }).map(String) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 100_000 }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '1e999',
      '-0',
      'NaN',
      'Infinity',
      '0x10',
      '1_000',
      ' 7 ',
      '99999999999999999999',
    ),
  },
);
export const checkbox = oneOf('on', 'true', 'off', '');
export const uuid = fc.uuid().map((u): Value => u);

type FormMutation =
  | { kind: 'drop'; pick: number }
  | { kind: 'hostile'; pick: number; value: string }
  | { kind: 'repeat'; pick: number; value: string }
  | { kind: 'extra'; name: string; value: string };

const formMutation: fc.Arbitrary<FormMutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('hostile' as const), pick: fc.nat(), value: hostileString() }),
  fc.record({ kind: fc.constant('repeat' as const), pick: fc.nat(), value: hostileString() }),
  fc.record({
    kind: fc.constant('extra' as const),
    name: hostileString({ maxLength: 10 }),
    value: hostileString(),
  }),
);

/**
 * A form over `fields` (name → plausible values): every field with a plausible value (which may
 * itself be a wrong choice, like an unknown intent), then up to three mutations: a field dropped,
 * given a hostile value or sent twice, or an unknown field added. Starting near a valid form lets
 * inputs reach past the first check; the mutations probe each check in turn.
 */
export function formOf(fields: Record<string, fc.Arbitrary<Value>>): fc.Arbitrary<Form> {
  const names = Object.keys(fields);
  const base = fc.record(
    Object.fromEntries(names.map((k) => [k, fields[k]!.map((v) => [v])])),
  ) as fc.Arbitrary<Form>;
  const mutations = fc.oneof(
    { weight: 1, arbitrary: fc.constant([] as FormMutation[]) },
    { weight: 2, arbitrary: fc.array(formMutation, { minLength: 1, maxLength: 3 }) },
  );
  return fc.tuple(base, mutations).map(([form, ms]) => {
    const out: Form = { ...form };
    for (const m of ms) {
      if (m.kind === 'extra') {
        if (!Object.hasOwn(out, m.name)) out[m.name] = [m.value];
        continue;
      }
      if (names.length === 0) continue;
      const name = names[m.pick % names.length]!;
      if (m.kind === 'drop') delete out[name];
      else if (m.kind === 'hostile') out[name] = [m.value];
      else out[name] = [...(out[name] ?? []), m.value];
    }
    return out;
  });
}

export interface FormTarget {
  /** e.g. "POST /projects" */
  name: string;
  /** the Remix route id, for `?_data=` requests */
  routeId: string;
  actor: Actor;
  path: fc.Arbitrary<string>;
  fields: Record<string, fc.Arbitrary<Value>>;
  /** sent as multipart/form-data with this file field */
  file?: { field: string; content: fc.Arbitrary<{ bytes: Uint8Array; name: string }> };
  /** a success status that still means "refused" (e.g. a redirect back with an error in the URL) */
  refused?: (location: string) => boolean;
}

export interface FormInput {
  target: string;
  path: string;
  form: Form;
  file: { bytes: Uint8Array; name: string } | null;
  /** a fetch (`?_data=`: only the action runs) rather than a document request (the page renders too) */
  asData: boolean;
  /** how the body is sent: as a browser would (urlencoded, or multipart for uploads), or as raw bytes with a given Content-Type */
  encoding:
    { kind: 'form' } | { kind: 'multipart' } | { kind: 'raw'; contentType: string | null; body: string };
}

const RAW_TYPES = [
  'multipart/form-data; boundary=fuzz',
  'multipart/form-data',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/json',
  null,
];

const encoding: fc.Arbitrary<FormInput['encoding']> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'form' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'multipart' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      contentType: fc.constantFrom(...RAW_TYPES),
      body: fc.oneof(
        hostileString(),
        fc.constant('--fuzz\r\nContent-Disposition: form-data; name=""\r\n\r\nv\r\n--fuzz--\r\n'),
        fc.constant('--fuzz\r\nContent-Disposition: form-data; name="a"\r\n\r\nnever closed'),
      ),
    }),
  },
);

/** Inputs over `targets`, each target equally likely. */
export function formInputs(targets: FormTarget[]): fc.Arbitrary<FormInput> {
  return fc.oneof(
    ...targets.map((t) =>
      fc.record({
        target: fc.constant(t.name),
        path: t.path,
        form: formOf(t.fields),
        file: t.file ? fc.option(t.file.content, { freq: 8 }) : fc.constant(null),
        asData: fc.oneof(
          { weight: 3, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        encoding,
      }),
    ),
  );
}

async function live(world: World, r: Ref): Promise<string | undefined> {
  const db = world.target.db;
  const annotator = world.users.annotator.id;
  const ids = (rows: { id: string }[]) => rows.map((row) => row.id);
  const leases = async (column: 'pair_id' | 'item_id') =>
    ids(
      await db
        .selectFrom('assignments')
        .select('id')
        .where('annotator_id', '=', annotator)
        .where('status', '=', 'leased')
        .where(column, 'is not', null)
        .orderBy('id')
        .execute(),
    );
  let found: string[];
  if (r.ref === 'pair-lease' || r.ref === 'item-lease') {
    const column = r.ref === 'pair-lease' ? 'pair_id' : 'item_id';
    found = await leases(column);
    if (!found.length) {
      // the last lease was used up: open the screen, as the annotator would, to lease the next one
      const page =
        r.ref === 'pair-lease'
          ? `/compare?project=${world.preference.slug}`
          : `/label?project=${world.sentiment.slug}`;
      await (await world.client('annotator')).get(page);
      found = await leases(column);
      if (!found.length) {
        await world.replenish(r.ref === 'pair-lease' ? 'pair' : 'item');
        await (await world.client('annotator')).get(page);
        found = await leases(column);
      }
    }
  } else if (r.ref === 'judgment')
    found = ids(
      await db
        .selectFrom('judgments')
        .select('id')
        .where('annotator_id', '=', annotator)
        .orderBy('id')
        .execute(),
    );
  else if (r.ref === 'label')
    found = ids(
      await db
        .selectFrom('sentiment_labels')
        .select('id')
        .where('annotator_id', '=', annotator)
        .orderBy('id')
        .execute(),
    );
  else
    found = ids(
      await db
        .selectFrom('responses as r')
        .innerJoin('prompts as p', 'p.id', 'r.prompt_id')
        .select('r.id')
        .where('p.project_id', '=', world.preference.id)
        .orderBy('r.id')
        .execute(),
    );
  return found.length ? found[r.index % found.length] : undefined;
}

/** The form's values with references replaced by live ids (a fresh UUID when none is live). */
export async function resolveForm(world: World, form: Form): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(form))
    out[name] = await Promise.all(
      values.map(async (v) => (typeof v === 'string' ? v : ((await live(world, v)) ?? crypto.randomUUID()))),
    );
  return out;
}

async function send(
  client: FuzzClient,
  target: FormTarget,
  input: FormInput,
  form: Record<string, string[]>,
) {
  const path = input.asData
    ? `${input.path}${input.path.includes('?') ? '&' : '?'}_data=${encodeURIComponent(target.routeId)}`
    : input.path;
  const { encoding: how } = input;
  if (how.kind === 'raw') {
    const headers: Record<string, string> = { Origin: client.base };
    if (how.contentType) headers['Content-Type'] = how.contentType;
    return client.request(path, { method: 'POST', body: how.body, headers });
  }
  if (how.kind === 'form' && !target.file) return client.post(path, form);
  const body = new FormData();
  for (const [k, vs] of Object.entries(form)) for (const v of vs) body.append(k, v);
  if (target.file && input.file)
    body.append(target.file.field, new Blob([Buffer.from(input.file.bytes)]), input.file.name);
  return client.request(path, { method: 'POST', body, headers: { Origin: client.base } });
}

/**
 * 431: Node's HTTP parser refuses a request line or headers over its size limit (a 70,000-character
 * path) before any application code runs, with the status line as the only message.
 */
export const NODE_REFUSAL = 431;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One request with node:http on a connection of its own. Unlike fetch it reads an answer that
 * arrives while the body is still being sent (an early 413), and no request waits on a pooled
 * connection the previous one left in an odd state. A connection the server closes after answering
 * is fine; no answer within 10 s is a violation.
 */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer | string | null,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.setTimeout(10_000, () => {
      request.destroy();
      reject(new FuzzViolation('server-error', `no answer within 10 s to ${method} ${url}`));
    });
    // the server may answer and close before the whole body is written; the answer still counts
    request.on('error', (error) => setTimeout(() => reject(error), 1_000));
    request.end(body ?? undefined);
  });
}

/** Whether a 4xx body says what is wrong: some message text, as JSON (fetch) or a page (document). */
function hasMessage(body: string, json: boolean): boolean {
  if (!json) return body.trim().length > 0;
  try {
    const texts: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(JSON.parse(body));
    return texts.some((t) => t.trim().length > 3);
  } catch {
    return body.trim().length > 0;
  }
}

/**
 * Sends one form and checks the rules; returns the status as the outcome class. A refused fetch
 * must leave every data table as it was (a document request renders the page afterwards, and
 * pages may lease work, so only fetches are held to that).
 */
export async function checkForm(
  world: World,
  targets: Map<string, FormTarget>,
  input: FormInput,
): Promise<{ outcome: string; detail: string }> {
  const target = targets.get(input.target)!;
  const client = await world.client(target.actor);
  const form = await resolveForm(world, input.form);
  const before = input.asData ? await snapshot(world.target.db) : null;
  const response = await send(client, target, input, form);
  const body = response.text;
  const what = () =>
    `${target.name} ${input.path} ${shown(form)}${input.file ? ` file ${shown(input.file)}` : ''}`;
  if (response.status >= 500)
    throw new FuzzViolation('server-error', `${response.status} from ${what()}: ${body.slice(0, 400)}`);
  const location = String(response.headers.location ?? response.headers['x-remix-redirect'] ?? '');
  const refused = response.status >= 400 || (target.refused?.(location) ?? false);
  if (
    response.status >= 400 &&
    response.status !== NODE_REFUSAL &&
    !hasMessage(body, String(response.headers['content-type'] ?? '').includes('json'))
  )
    throw new FuzzViolation('unexpected', `${response.status} without a message from ${what()}`);
  if (refused && before) {
    const after = await snapshot(world.target.db);
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    if (changed.length)
      throw new FuzzViolation(
        'partial-write',
        `${response.status} from ${what()} still changed ${changed.join(', ')}`,
      );
  }
  return { outcome: `${Math.floor(response.status / 100)}xx`, detail: `${target.name} ${response.status}` };
}
