import type { LoaderFunctionArgs } from '@remix-run/node';
import { RouteErrorBoundary } from '../components/error-page';
import { notFound } from '../utils/http.server';

// Any address no other route matches: a 404 page that keeps the navigation.
export async function loader(_: LoaderFunctionArgs) {
  throw notFound();
}

export default function NotFound() {
  return null;
}

export const ErrorBoundary = RouteErrorBoundary;
