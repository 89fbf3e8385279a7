import * as format from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { isValidId, MAX_ID_LENGTH, SnapshotMetadata, validateId } from '../src/index.js';

describe('validateId', () => {
  it('is the rule of @tx2/pack-format, re-exported (one owner)', () => {
    expect(validateId).toBe(format.validateId);
    expect(isValidId).toBe(format.isValidId);
    expect(MAX_ID_LENGTH).toBe(format.MAX_ID_LENGTH);
  });

  it('accepts ordinary ids', () => {
    for (const id of ['slot1', 'save-2024_01.final', 'ckpt@42', 'größe', 'a'.repeat(MAX_ID_LENGTH)]) expect(validateId(id)).toBe(id);
  });
  it.each([
    ['empty', ''],
    ['slash', 'a/b'],
    ['backslash', 'a\\b'],
    ['dot dot', '..'],
    ['embedded dot dot', 'a..b'],
    ['parent path', '../etc/passwd'],
    ['leading dot', '.hidden'],
    ['trailing dot', 'a.'],
    ['newline', 'a\nb'],
    ['nul', 'a\0b'],
    ['del', 'a\u007fb'],
    ['too long', 'a'.repeat(MAX_ID_LENGTH + 1)],
    ['space', 'a b'],
    ['colon', 'c:x'],
    ['reserved', 'CON'],
    ['not a string', 42],
  ])('refuses %s with PackError InvalidInput', (_, id) => {
    expect(() => validateId(id)).toThrow(expect.objectContaining({ name: 'PackError', code: 'InvalidInput' }));
    expect(isValidId(id)).toBe(false);
  });
});

describe('SnapshotMetadata', () => {
  it('builds immutably with with* methods and round-trips through JSON', () => {
    const base = new SnapshotMetadata('slot1', { createdAt: 5, worldTime: 7 });
    const m = base.withName('Slot 1').withDescription('before the boss').withTag('auto').withTag('auto').withTag('boss').withCustomField('hp', 42).withCustomField('pos', { x: 1 });
    expect(base.name).toBeUndefined();
    expect(m.name).toBe('Slot 1');
    expect(m.tags).toEqual(['auto', 'boss']);
    expect(m.custom).toEqual({ hp: 42, pos: { x: 1 } });
    const back = SnapshotMetadata.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.toJSON()).toEqual(m.toJSON());
    expect(Object.isFrozen(m)).toBe(true);
  });
  it('refuses bad ids, bad numbers and malformed JSON records', () => {
    expect(() => new SnapshotMetadata('../x')).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    expect(() => new SnapshotMetadata('a', { worldTime: Number.NaN })).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    expect(() => SnapshotMetadata.fromJSON({ id: 'a', tags: 'x', custom: {} })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    expect(() => SnapshotMetadata.fromJSON(null)).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    expect(() => new SnapshotMetadata('a').withCustomField('__proto__', 1)).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
  });
});
