import { json } from '@remix-run/node';
import { OPENAPI } from '../utils/openapi';

/** The API's OpenAPI document (public: it describes the API, it holds no data). */
export function loader() {
  return json(OPENAPI, { headers: { 'Cache-Control': 'public, max-age=300' } });
}
