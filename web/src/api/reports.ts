import { type ReportQueryInput, ReportSchema } from '@abrik/protocol';
import type { ApiClient } from './client.js';
import { ApiError, apiErrorFrom } from './errors.js';
import type { Session } from './session.js';

/** The query as the API takes it: only the fields that are set. */
function queryOf(query: ReportQueryInput): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
}

/** `GET /api/v1/support/reports` (supervisors: their teams'; admins: everything). */
export function supportReport(api: ApiClient, query: ReportQueryInput) {
  return api.request('GET', '/api/v1/support/reports', { query: queryOf(query), schema: ReportSchema });
}

/**
 * The same report as a CSV file: fetched with the access token (a plain link could not send it)
 * and handed to the browser as a download named as the server says.
 */
export async function downloadReportCsv(
  session: Session,
  lang: string,
  query: ReportQueryInput,
): Promise<void> {
  const token = await session.accessToken();
  if (!token) throw new ApiError(401, 'auth/unauthenticated', '');
  const url = new URL('/api/v1/support/reports.csv', globalThis.location?.origin ?? 'http://localhost');
  for (const [key, value] of Object.entries(queryOf(query))) url.searchParams.set(key, value);
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'accept-language': lang } });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (!response.ok) throw await apiErrorFrom(response);
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'report.csv';
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(href);
}
