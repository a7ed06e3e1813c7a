import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, emptyMetrics, ReportService } from './report.service.js';

describe(ReportService.name, () => {
  it('writes CSV fields: numbers to the millisecond, nothing for null, quotes where needed', () => {
    expect(csvField(8403.333333333)).toBe('8403.333');
    expect(csvField(null)).toBe('');
    expect(csvField('تیم فروش')).toBe('تیم فروش');
    expect(csvField('Sales, north')).toBe('"Sales, north"');
    expect(csvField('the "A" team')).toBe('"the ""A"" team"');
  });

  it('keeps a name that starts like a formula from running in a spreadsheet', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+98912')).toBe("'+98912");
    expect(csvField('@team')).toBe("'@team");
  });

  it('has a column for every figure of a bucket', () => {
    const m = emptyMetrics();
    // 3 counts, 4 times × 7 figures, 4 CSAT figures, 3 SLA kinds × 3.
    expect(CSV_COLUMNS.length - 6).toBe(3 + 4 * 7 + 4 + 3 * 3);
    expect(Object.keys(m.sla)).toEqual(['first_response', 'next_response', 'resolution']);
  });

  it('refuses agents and customers before reading anything', async () => {
    const service = new ReportService({
      reports: {} as never,
      events: { record: async () => {} },
      db: {} as never,
      timeZone: 'Asia/Tehran',
    });
    for (const role of ['agent', 'customer'] as const) {
      await expect(
        service.report(
          { id: 'x', role },
          { from: '2026-12-19', to: '2026-12-20', bucket: 'day', groupBy: 'none' },
        ),
      ).rejects.toMatchObject({ status: 403 });
    }
  });
});
