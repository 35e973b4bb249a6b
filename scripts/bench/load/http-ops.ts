/**
 * The compare screen's requests, as the browser makes them after the first page load: the next pair
 * is the route's loader data (`GET /compare?_data=routes/compare`), a judgment is the route's
 * action (`POST /compare?_data=routes/compare`, form-encoded, answered 204 with X-Remix-Redirect).
 * Each annotator has a real session (signed in through /login) and a cookie jar; with several
 * servers, requests go round-robin across them, as behind a load balancer.
 */
import type { AnnotatorOps, Answer, Offered } from './annotators';

const DATA = `_data=${encodeURIComponent('routes/compare')}`;

export class HttpFailure extends Error {
  override name = 'HttpFailure';
}

export class SessionClient {
  private readonly cookies = new Map<string, string>();
  private turn = 0;
  constructor(
    private readonly bases: readonly string[],
    private readonly timeoutMs = 15_000,
  ) {}

  /** The next server in the rotation. */
  base(): string {
    return this.bases[this.turn++ % this.bases.length]!;
  }

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const base = this.base();
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method === 'POST') headers.set('Origin', base);
    let response: Response;
    try {
      response = await fetch(base + pathname, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new HttpFailure(
        (error as Error).name === 'TimeoutError'
          ? `timeout after ${this.timeoutMs} ms`
          : (cause ?? 'fetch failed'),
      );
    }
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [key, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(key!.trim());
      else this.cookies.set(key!.trim(), value);
    }
    return response;
  }

  async login(email: string, password: string): Promise<void> {
    const response = await this.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ email, password, redirectTo: '/' }),
    });
    await response.arrayBuffer();
    if (response.status !== 302) throw new Error(`login for ${email} failed with ${response.status}`);
  }
}

/** The compare screen's next-pair and submit requests for one signed-in annotator. */
export function httpOps(client: SessionClient, projectSlug: string): AnnotatorOps {
  const query = `?project=${encodeURIComponent(projectSlug)}&${DATA}`;
  return {
    async next(): Promise<Offered | null> {
      const response = await client.request(`/compare${query}`);
      const text = await response.text();
      if (response.status !== 200) throw new HttpFailure(`${response.status}`);
      const data = JSON.parse(text) as { pair: { assignmentId: string; submissionId: string } | null };
      return data.pair
        ? { assignmentId: data.pair.assignmentId, submissionId: data.pair.submissionId }
        : null;
    },
    async submit(offered: Offered, answer: Answer) {
      const form = new URLSearchParams({
        judgmentId: offered.submissionId,
        assignmentId: offered.assignmentId,
        helpfulness: String(answer.helpfulness),
        safety: String(answer.safety),
        rationale: answer.rationale,
        timeOnTaskMs: String(answer.timeOnTaskMs),
      });
      const response = await client.request(`/compare${query}`, { method: 'POST', body: form });
      const text = await response.text();
      if (response.status === 204 && response.headers.get('x-remix-redirect')) return 'ack';
      if (response.status >= 400 && response.status < 500) {
        let message = text.slice(0, 120);
        try {
          const body = JSON.parse(text) as { formError?: string; fieldErrors?: Record<string, string> };
          message = body.formError ?? Object.values(body.fieldErrors ?? {})[0] ?? message;
        } catch {
          // not JSON: keep the text
        }
        return { rejected: `${response.status} ${message}` };
      }
      throw new HttpFailure(`${response.status}`);
    },
  };
}
