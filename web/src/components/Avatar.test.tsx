import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Avatar, avatarHue, initials } from './Avatar.js';

describe(Avatar.name, () => {
  it('shows the initials of the first and last word, two Persian letters kept apart', () => {
    expect(initials('sara ahmadi')).toBe('SA');
    expect(initials('سارا احمدی')).toBe('س\u200cا');
    expect(initials('  علی ')).toBe('ع');
    expect(initials('۰۹۱۲ ۳۴۵')).toBe('۰\u200c۳'); // Persian digits are of the Arabic script too
    expect(initials('🙂')).toBe('?');
  });

  it('gives an id the same colour every time, and different ids different colours', () => {
    const a = '00000000-0000-4000-8000-000000000001';
    const b = '00000000-0000-4000-8000-000000000002';
    expect(avatarHue(a)).toBe(avatarHue(a));
    expect(avatarHue(a)).not.toBe(avatarHue(b));
    const { container } = render(<Avatar id={a} name="Sara" />);
    const el = container.querySelector('.avatar') as HTMLElement;
    expect(el.style.getPropertyValue('--avatar-hue')).toBe(String(avatarHue(a)));
    expect(el.textContent).toBe('S');
  });

  it('shows the photo instead of initials when there is one', () => {
    const { container } = render(<Avatar id="x" name="Sara" photoUrl="/p.jpg" />);
    expect(container.querySelector('img')?.getAttribute('src')).toBe('/p.jpg');
    expect(container.textContent).toBe('');
  });
});
