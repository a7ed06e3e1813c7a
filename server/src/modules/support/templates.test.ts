import { describe, expect, it } from 'vitest';
import { hasTemplateVariable, renderTemplate, shortcutKey } from './templates.js';

describe(shortcutKey.name, () => {
  it('reads Arabic yeh and kaf as Persian, drops ZWNJ and the slash, and ignores case and digit script', () => {
    expect(shortcutKey('/سلامي')).toBe(shortcutKey('سلامی'));
    expect(shortcutKey('كارت')).toBe(shortcutKey('کارت'));
    expect(shortcutKey('می‌خواهم')).toBe(shortcutKey('میخواهم'));
    expect(shortcutKey('Refund۲')).toBe('refund2');
  });
});

describe(renderTemplate.name, () => {
  const values = { 'customer.name': 'سارا', 'agent.name': 'علی', 'conversation.id': 'c-1' };

  it('fills the known variables, with spaces inside the braces or not', () => {
    expect(
      renderTemplate('سلام {{customer.name}}، من {{ agent.name }} هستم ({{conversation.id}})', values),
    ).toEqual({
      text: 'سلام سارا، من علی هستم (c-1)',
      unresolved: [],
    });
  });

  it('uses a fallback when the value is missing, and lists what it cannot fill', () => {
    expect(renderTemplate('{{customer.name | "مشتری گرامی"}} عزیز', { 'customer.name': null })).toEqual({
      text: 'مشتری گرامی عزیز',
      unresolved: [],
    });
    expect(renderTemplate('{{customer.name}} و {{order.id}}', { 'customer.name': '  ' })).toEqual({
      text: '{{customer.name}} و {{order.id}}',
      unresolved: ['customer.name', 'order.id'],
    });
  });

  it('says whether a text still carries a variable', () => {
    expect(hasTemplateVariable('hi {{customer.name}}')).toBe(true);
    expect(hasTemplateVariable('hi {{ }}')).toBe(true);
    expect(hasTemplateVariable('braces { } and }} alone')).toBe(false);
  });
});
