import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageText } from '../components/MessageText.js';
import { safeHref, splitLinks } from './links.js';

describe(splitLinks.name, () => {
  it('makes http and https URLs links, keeping the text around them', () => {
    expect(splitLinks('ببین https://example.com/a?b=1 را')).toEqual([
      { kind: 'text', text: 'ببین ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' را' },
    ]);
  });

  it('links a bare domain over https', () => {
    expect(splitLinks('example.org')).toEqual([
      { kind: 'link', text: 'example.org', href: 'https://example.org/' },
    ]);
  });

  it('leaves javascript:, data: and mailto: as text', () => {
    for (const text of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'mailto:someone@example.com',
      'someone@example.com',
    ]) {
      expect(splitLinks(text).every((p) => p.kind === 'text')).toBe(true);
      expect(
        splitLinks(text)
          .map((p) => p.text)
          .join(''),
      ).toBe(text);
    }
  });

  it('accepts only absolute http(s) URLs as hrefs', () => {
    expect(safeHref('https://a.example/x')).toBe('https://a.example/x');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('ftp://a.example')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
  });
});

describe('MessageText', () => {
  it('renders markup as text and links safely', () => {
    const { container } = render(
      <p>
        <MessageText
          text={'<img src=x onerror=alert(1)> <b>bold</b> javascript:alert(1) https://example.com'}
        />
      </p>,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toBe(
      '<img src=x onerror=alert(1)> <b>bold</b> javascript:alert(1) https://example.com',
    );
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://example.com/');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
  });
});
