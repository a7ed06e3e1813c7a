/**
 * `abrik doctor`: the runbook's diagnosis as checks. Each check has a stable id, a title, a
 * status (`ok | warn | fail | skip`), a detail, and — when not ok — a fix hint with the runbook
 * section to read. What a check prints is scrubbed of every secret of the configuration and of
 * phone numbers before it leaves here.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
  /** What to do about it (not ok only). */
  fix?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  /** The runbook section for this check (docs/runbook.md and docs/runbook.fa.md share anchors). */
  runbook: string;
  durationMs: number;
}

export interface Check<C> {
  /** `group.name`, e.g. `db.migrations`; `abrik doctor db` runs a group. */
  id: string;
  title: string;
  runbook: string;
  run(context: C): Promise<CheckOutcome>;
}

export const ok = (detail: string): CheckOutcome => ({ status: 'ok', detail });
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });
export const skip = (detail: string): CheckOutcome => ({ status: 'skip', detail });

/** A check that does not answer within this is failed, so the doctor never hangs. */
const CHECK_TIMEOUT_MS = 15_000;

/** Checks whose id or group is among `selected` (all when none); unknown names throw. */
export function select<C>(checks: Check<C>[], selected: string[]): Check<C>[] {
  if (selected.length === 0) return checks;
  const groups = new Set(checks.map((c) => c.id.split('.')[0]!));
  const unknown = selected.filter((s) => !groups.has(s) && !checks.some((c) => c.id === s));
  if (unknown.length > 0) {
    throw new Error(
      `unknown check(s): ${unknown.join(', ')}; groups: ${[...groups].join(', ')} (or a check id such as ${checks[0]?.id})`,
    );
  }
  return checks.filter((c) => selected.includes(c.id) || selected.includes(c.id.split('.')[0]!));
}

/** Runs checks one after the other (a failing dependency fails its checks, never the doctor). */
export async function runChecks<C>(
  checks: Check<C>[],
  context: C,
  scrub: (text: string) => string,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    let outcome: CheckOutcome;
    let timer: NodeJS.Timeout | undefined;
    try {
      outcome = await Promise.race([
        check.run(context),
        new Promise<CheckOutcome>((resolve) => {
          timer = setTimeout(
            () => resolve(fail(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`, 'see the runbook section')),
            CHECK_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      outcome = fail(errorText(error), 'see the runbook section');
    } finally {
      clearTimeout(timer);
    }
    results.push({
      id: check.id,
      title: check.title,
      runbook: check.runbook,
      status: outcome.status,
      detail: scrub(outcome.detail),
      ...(outcome.fix ? { fix: scrub(outcome.fix) } : {}),
      durationMs: Math.round(performance.now() - started),
    });
  }
  return results;
}

/** 0 all ok (or skipped), 1 any fail, 2 warnings only. */
export function exitCode(results: CheckResult[]): number {
  if (results.some((r) => r.status === 'fail')) return 1;
  if (results.some((r) => r.status === 'warn')) return 2;
  return 0;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** For people: one line per check, the fix and the runbook section under each that is not ok. */
export function renderText(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${MARK[r.status]}] ${r.id.padEnd(22)} ${r.title}: ${r.detail}`);
    if (r.fix && (r.status === 'warn' || r.status === 'fail')) {
      lines.push(`       fix: ${r.fix}`);
      lines.push(`       runbook: ${r.runbook}`);
    }
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push('');
  lines.push(
    `${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`,
  );
  return lines.join('\n');
}

/** For machines (`--json`): the results and the exit code's meaning. */
export function renderJson(results: CheckResult[]): string {
  const code = exitCode(results);
  return JSON.stringify(
    { status: code === 0 ? 'ok' : code === 1 ? 'fail' : 'warn', exitCode: code, checks: results },
    null,
    2,
  );
}

/** An error in one line: the database's own words rather than the query builder's wrapping. */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorText(error.errors[0]);
  if (error instanceof Error) {
    // Drizzle wraps the driver's error as `Failed query: <sql>` with the real one as the cause.
    if (error.message.startsWith('Failed query') && error.cause) return errorText(error.cause);
    const code = (error as { code?: unknown }).code;
    const text = error.message.replace(/\s+/g, ' ').trim();
    return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(error);
}

/** The PostgreSQL error code of an error or its cause (`42P01`: a table that does not exist). */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Phone numbers in any common form (+98…, 0098…, 09…, Persian or Arabic-Indic digits). */
const PHONE = /(?:\+|00)?[0-9۰-۹٠-٩][0-9۰-۹٠-٩ -]{8,16}[0-9۰-۹٠-٩]/g;

/**
 * Replaces every secret (values of at least 6 characters) and anything shaped like a phone
 * number with `[redacted]`.
 */
export function scrubber(secrets: (string | undefined)[]): (text: string) => string {
  const values = [
    ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6)),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join('[redacted]');
    return out.replace(PHONE, (match) => (/\d{4}-\d{2}-\d{2}/.test(match) ? match : '[redacted]'));
  };
}
