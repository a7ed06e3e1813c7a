import { describe, expect, it } from 'vitest';
import { firstHeader, isObject, parseJson, parseRetryAfter, scrub } from './http.js';

describe(parseRetryAfter.name, () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delay-seconds, trimmed', () => {
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('gives undefined for a missing or empty value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('   ', now)).toBeUndefined();
  });
});

describe(parseJson.name, () => {
  it('parses JSON and gives undefined for anything else', () => {
    expect(parseJson('{"a":[1]}')).toStrictEqual({ a: [1] });
    expect(parseJson('null')).toBeNull();
    expect(parseJson('<html>')).toBeUndefined();
    expect(parseJson('')).toBeUndefined();
  });
});

describe(isObject.name, () => {
  it('accepts objects only, not arrays or null', () => {
    expect(isObject({})).toBe(true);
    expect(isObject([])).toBe(false);
    expect(isObject(null)).toBe(false);
    expect(isObject('x')).toBe(false);
  });
});

describe(firstHeader.name, () => {
  it('takes the first of a repeated header', () => {
    expect(firstHeader(['5', '9'])).toBe('5');
    expect(firstHeader('5')).toBe('5');
    expect(firstHeader(undefined)).toBeUndefined();
  });
});

describe(scrub.name, () => {
  it('redacts secrets of 4 characters or more, folds whitespace and cuts long text', () => {
    expect(scrub('key abcd and  ab\nhere', ['abcd', 'ab'])).toBe('key [redacted] and ab here');
    expect(scrub('x'.repeat(300), [])).toBe(`${'x'.repeat(200)}…`);
    expect(scrub(undefined, ['abcd'])).toBeUndefined();
  });
});
