import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable, pgErrorCode } from './errors.js';

describe(isDatabaseUnavailable.name, () => {
  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('x'), { code: '08006' }) }),
    new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    new Error('Query read timeout'),
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    new DatabaseUnavailableError(),
  ])('recognises %s', (error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    new Error('duplicate key value violates unique constraint'),
    Object.assign(new Error('syntax error'), { code: '42601' }),
    null,
    'string',
  ])('does not mistake %s for an outage', (error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe(pgErrorCode.name, () => {
  it('finds the SQLSTATE through wrappers', () => {
    expect(pgErrorCode({ cause: { code: '23505' } })).toBe('23505');
    expect(pgErrorCode(new Error('plain'))).toBeUndefined();
  });
});
