import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { apiError } from '../utils/api.server';

// Unknown API paths answer in JSON, like the rest of the API, for any method.
export async function loader({ params }: LoaderFunctionArgs) {
  return apiError(404, `No API endpoint at /api/v1/${params['*'] ?? ''}.`);
}

export async function action({ params }: ActionFunctionArgs) {
  return apiError(404, `No API endpoint at /api/v1/${params['*'] ?? ''}.`);
}
