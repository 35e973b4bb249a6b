/** A ready snapshot's file (researchers, leads, admins), streamed from its stored chunks. */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { requireRole } from '../utils/auth.server';
import { notFound } from '../utils/http.server';
import * as exportsApi from '../utils/exports.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, 'researcher', 'lead', 'admin');
  const id = z.uuid().safeParse(params.exportId);
  if (!id.success) throw notFound('No such export.');
  return exportsApi.downloadResponse(id.data);
}
