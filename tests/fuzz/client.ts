/**
 * A browser tab for fuzzing: a cookie jar over rawRequest (node:http, a connection per request),
 * with the same shape as tests/setup/server.ts's Client. fetch's connection pool stalled now and
 * then for seconds in vitest after certain refusals, which made the short form slow and proved
 * nothing about the server.
 */
import { rawRequest, type RawResponse } from './http';

export class FuzzClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private remember(response: RawResponse): void {
    const setCookie = response.headers['set-cookie'] ?? [];
    for (const cookie of setCookie) {
      const [pair, ...attrs] = cookie.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
  }

  /** Sends a request with the jar's cookies (and Origin, as a same-site browser form would). */
  async request(
    path: string,
    init: {
      method?: string;
      headers?: Record<string, string>;
      body?: Buffer | string | FormData | URLSearchParams;
    } = {},
  ): Promise<RawResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: Buffer | string | null = null;
    if (init.body instanceof FormData || init.body instanceof URLSearchParams) {
      // let the platform encode it (boundary and all), as a browser would
      const encoded = new Response(init.body);
      body = Buffer.from(await encoded.arrayBuffer());
      headers['Content-Type'] = encoded.headers.get('content-type')!;
    } else if (init.body !== undefined) body = init.body;
    if (body !== null) headers['Content-Length'] = String(Buffer.byteLength(body));
    const response = await rawRequest(this.base + path, init.method ?? 'GET', headers, body);
    this.remember(response);
    return response;
  }

  get(path: string): Promise<RawResponse> {
    return this.request(path);
  }

  post(path: string, form: Record<string, string | string[]>): Promise<RawResponse> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) params.append(k, item);
    return this.request(path, { method: 'POST', body: params, headers: { Origin: this.base } });
  }

  async login(email: string, password: string): Promise<void> {
    const response = await this.post('/login', { email, password, redirectTo: '/' });
    if (response.status !== 302)
      throw new Error(`login for ${email} failed with ${response.status}: ${response.text}`);
  }
}
