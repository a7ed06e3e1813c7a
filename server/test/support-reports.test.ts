import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../src/modules/support/reports/report.service.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';

/**
 * The report routes over HTTP: who may read them, bad input answered 400 with a code, the CSV
 * (BOM, columns) and its audit entry. The numbers themselves are the golden dataset's test.
 */
describe.each(BACKENDS)('support reports over HTTP on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  let sales: { supervisor: Person; teamId: string; inboxId: string; name: string };
  let tech: { supervisor: Person; teamId: string };
  let agent: Person;
  let customer: Person;

  /** 16 Dey 1403 (2025-01-05), long before anything the desk records by itself. */
  const DAY = { from: '2025-01-05', to: '2025-01-05', groupBy: 'team' };
  const get = (path: string, who: Person, query: Record<string, string>) =>
    desk.t.request('GET', `/api/v1/support/${path}?${new URLSearchParams(query)}`, { token: who.token });

  beforeAll(async () => {
    desk = await startDesk({ backend });
    admin = await desk.person('admin', 'Admin');
    agent = await desk.person('agent', 'Ali');
    customer = await desk.person('customer', 'Kian');
    const salesSupervisor = await desk.person('supervisor', 'Sima');
    const techSupervisor = await desk.person('supervisor', 'Taha');
    await desk.quietAppInbox(admin);
    const s = await desk.team(admin, [agent], [salesSupervisor]);
    const t = await desk.team(admin, [], [techSupervisor]);
    const teams = await desk.admin(admin, 'GET', '/teams');
    sales = {
      supervisor: salesSupervisor,
      ...s,
      name: teams.items.find((x: { id: string }) => x.id === s.teamId).name,
    };
    tech = { supervisor: techSupervisor, teamId: t.teamId };
    const c1 = (await desk.openIn(s.inboxId, customer)).id;
    const c2 = (await desk.openIn(t.inboxId, customer)).id;
    // One first response in each team on 16 Dey 1403 (Tehran 09:30 and 10:30).
    await desk.t.app.database.db.execute(
      sql`insert into support_report_events
            (kind, conversation_id, cycle, inbox_id, team_id, agent_id, assignee_id, value_seconds, business_seconds, at)
          values ('first_response', ${c1}, 0, ${s.inboxId}, ${s.teamId}, ${agent.id}, ${agent.id}, 120, 60, '2025-01-05T06:00:00Z'),
                 ('first_response', ${c2}, 0, ${t.inboxId}, ${t.teamId}, ${admin.id}, ${admin.id}, 600, 600, '2025-01-05T07:00:00Z')`,
    );
  });
  afterAll(async () => {
    await desk?.close();
  });

  it('answers admins with every team and supervisors with their own', async () => {
    const all = await get('reports', admin, DAY);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.timeZone).toBe('Asia/Tehran');
    expect(all.body.buckets).toEqual([
      { label: '1403-10-16', start: '2025-01-04T20:30:00.000Z', end: '2025-01-05T20:30:00.000Z' },
    ]);
    expect(all.body.all.total.firstResponse.count).toBe(2);
    expect(all.body.groups.map((g: { id: string }) => g.id).sort()).toEqual(
      [sales.teamId, tech.teamId].sort(),
    );

    const own = await get('reports', sales.supervisor, DAY);
    expect(own.status).toBe(200);
    expect(own.body.groups.map((g: { id: string; name: string }) => [g.id, g.name])).toEqual([
      [sales.teamId, sales.name],
    ]);
    expect(own.body.all.total.firstResponse).toEqual({
      count: 1,
      wall: { mean: 120, median: 120, p90: 120 },
      business: { mean: 60, median: 60, p90: 60 },
    });
    const other = await get('reports', tech.supervisor, DAY);
    expect(other.body.all.total.firstResponse.wall.median).toBe(600);

    for (const who of [agent, customer]) {
      const refused = await get('reports', who, DAY);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('support/forbidden');
      expect((await get('reports.csv', who, DAY)).status).toBe(403);
    }
    expect(
      (await desk.t.request('GET', `/api/v1/support/reports?from=2025-01-05&to=2025-01-05`)).status,
    ).toBe(401);
    // Both routes are in the OpenAPI document.
    const doc = await desk.t.request('GET', '/api/docs/json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/support/reports', '/api/v1/support/reports.csv']),
    );
  });

  it('answers 400 with a code for a range backwards or too long, an unknown bucket, a bad id or a missing bound', async () => {
    const queries: Record<string, string>[] = [
      { from: '2025-01-06', to: '2025-01-05' },
      { from: '2025-01-05T10:00:00Z', to: '2025-01-05T10:00:00Z' },
      { from: '2023-01-01', to: '2025-01-05' },
      { from: '2025-01-05', to: '2025-01-05', bucket: 'year' },
      { from: '2025-01-05', to: '2025-01-05', groupBy: 'label' },
      { from: '2025-01-05', to: '2025-01-05', inboxId: 'inbox-1' },
      { from: '2025-01-05' },
      { from: '1403-10-16', to: '1403-10-17' },
    ];
    for (const query of queries) {
      for (const path of ['reports', 'reports.csv']) {
        const bad = await get(path, admin, query);
        expect(bad.status, `${path} ${JSON.stringify(query)}`).toBe(400);
        expect(bad.body.error.code).toBe('validation/invalid');
        expect(bad.body.error.message).toEqual(expect.any(String));
      }
    }
  });

  it('downloads CSV with a byte order mark and records the export in the audit trail', async () => {
    // The bytes as sent (a decoder drops a byte order mark).
    const csv = await fetch(`${desk.t.url}/api/v1/support/reports.csv?${new URLSearchParams(DAY)}`, {
      headers: { authorization: `Bearer ${sales.supervisor.token}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="abrik-report-team-day-2025-01-05-2025-01-05.csv"',
    );
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    // Sales' day and total, then everything's day and total.
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 5))).toEqual([
      ['1403-10-16', '2025-01-04T20:30:00.000Z', '2025-01-05T20:30:00.000Z', 'team', sales.teamId],
      ['total', '2025-01-04T20:30:00.000Z', '2025-01-05T20:30:00.000Z', 'team', sales.teamId],
      ['1403-10-16', '2025-01-04T20:30:00.000Z', '2025-01-05T20:30:00.000Z', 'all', ''],
      ['total', '2025-01-04T20:30:00.000Z', '2025-01-05T20:30:00.000Z', 'all', ''],
    ]);
    const row = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, lines[1]!.split(',')[i]]));
    expect(row).toMatchObject({
      group_name: sales.name,
      first_response_count: '1',
      first_response_median_s: '120',
      first_response_business_median_s: '60',
      reply_count: '0',
      reply_median_s: '',
      csat_score: '',
    });

    const audit = await desk.t.request('GET', '/api/v1/audit?type=support.report_exported', {
      token: admin.token,
    });
    expect(audit.status).toBe(200);
    expect(audit.body.items[0]).toMatchObject({
      type: 'support.report_exported',
      actorId: sales.supervisor.auth.user.id,
      subject: 'report:team',
      payload: {
        format: 'csv',
        rows: 4,
        filters: { from: '2025-01-05', to: '2025-01-05', bucket: 'day', groupBy: 'team', inboxId: null },
      },
    });
  });
});
