import type { SystemEvent } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n/index.js';
import { systemText } from './SystemText.js';

const SARA = '00000000-0000-4000-8000-0000000000a1';
const ALI = '00000000-0000-4000-8000-0000000000a2';
const REZA = '00000000-0000-4000-8000-0000000000a3';
const LEFT = '00000000-0000-4000-8000-0000000000a4';
const names = new Map([
  [SARA, 'سارا'],
  [ALI, 'علی'],
  [REZA, 'رضا'],
]);
const event = (over: Partial<SystemEvent>): SystemEvent => ({
  action: 'added',
  actorId: SARA,
  userIds: [ALI],
  value: null,
  ...over,
});

describe(systemText.name, () => {
  it('words group events in Persian', async () => {
    const { t } = await createI18n('fa');
    expect(systemText(event({}), names, t)).toBe('سارا علی را اضافه کرد');
    expect(systemText(event({ userIds: [ALI, REZA] }), names, t)).toBe('سارا علی و رضا را اضافه کرد');
    expect(systemText(event({ action: 'left', actorId: ALI }), names, t)).toBe('علی گروه را ترک کرد');
    expect(systemText(event({ action: 'promoted' }), names, t)).toBe('سارا علی را مدیر کرد');
    expect(systemText(event({ action: 'removed' }), names, t)).toBe('سارا علی را از گروه حذف کرد');
    expect(systemText(event({ action: 'title', userIds: [], value: 'خانواده' }), names, t)).toBe(
      'سارا عنوان گروه را به «خانواده» تغییر داد',
    );
    expect(systemText(event({ action: 'pinned', userIds: [], value: '12' }), names, t)).toBe(
      'سارا پیامی را سنجاق کرد',
    );
  });

  it('words them in English', async () => {
    const { t } = await createI18n('en');
    const en = new Map([
      [SARA, 'Sara'],
      [ALI, 'Ali'],
      [REZA, 'Reza'],
    ]);
    expect(systemText(event({}), en, t)).toBe('Sara added Ali');
    expect(systemText(event({ userIds: [ALI, REZA, SARA] }), en, t)).toBe('Sara added Ali, Reza and Sara');
    expect(systemText(event({ action: 'left', actorId: ALI }), en, t)).toBe('Ali left the group');
    expect(systemText(event({ action: 'demoted' }), en, t)).toBe('Sara removed Ali as admin');
    expect(systemText(event({ action: 'description', userIds: [], value: 'x' }), en, t)).toBe(
      'Sara changed the group description',
    );
    expect(systemText(event({ action: 'description', userIds: [], value: null }), en, t)).toBe(
      'Sara removed the group description',
    );
  });

  it('says "Unnamed" only for someone nobody knows, and "someone" for the server', async () => {
    const { t } = await createI18n('fa');
    expect(systemText(event({ userIds: [LEFT] }), names, t)).toBe('سارا بی‌نام را اضافه کرد');
    expect(systemText(event({ actorId: null }), names, t)).toBe('کسی علی را اضافه کرد');
  });
});
