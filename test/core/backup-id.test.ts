import { describe, expect, it } from 'vitest';
import { backupId, dateOfStamp, isStamp, parseBackupId, scratchLockKey, stampOf, restoreScratchName, scratchDatabaseAge, verifyDatabaseName } from '../../src/core/backup-id.js';

const HOUR = 3_600_000;

describe('stampOf', () => {
  it.each<[string, string]>([
    ['2026-11-22T02:00:00.000Z', '20261122T020000Z'],
    ['2026-11-22T02:00:59.999Z', '20261122T020059Z'],
    ['2026-11-22T03:00:00+01:00', '20261122T020000Z'],
    ['2026-12-31T23:59:59Z', '20261231T235959Z'],
    ['2027-01-01T00:00:00Z', '20270101T000000Z'],
  ])('%s -> %s', (iso, stamp) => {
    expect(stampOf(new Date(iso))).toBe(stamp);
  });
});

describe('dateOfStamp', () => {
  it.each<[string, string]>([
    ['20261122T020000Z', '2026-11-22T02:00:00.000Z'],
    ['20261231T235959Z', '2026-12-31T23:59:59.000Z'],
    ['20240229T120000Z', '2024-02-29T12:00:00.000Z'],
  ])('%s -> %s', (stamp, iso) => {
    expect(dateOfStamp(stamp).toISOString()).toBe(iso);
  });

  it.each(['2026-11-22', '20261122T020000', '20261122t020000z', '20261122T020000.000Z', ' 20261122T020000Z', ''])('%j is not a stamp', (text) => {
    expect(() => dateOfStamp(text)).toThrow(new Error(`not a backup stamp: "${text}"`));
    expect(isStamp(text)).toBe(false);
  });

  it('round-trips through stampOf, to the second', () => {
    const at = new Date('2026-03-29T01:59:58.750Z');
    expect(dateOfStamp(stampOf(at)).toISOString()).toBe('2026-03-29T01:59:58.000Z');
  });
});

describe('parseBackupId', () => {
  it.each<[string, { target: string; stamp: string }]>([
    ['app-20261122T020000Z', { target: 'app', stamp: '20261122T020000Z' }],
    ['shop-db-20261122T020000Z', { target: 'shop-db', stamp: '20261122T020000Z' }],
    ['a-b-c-d-20261122T020000Z', { target: 'a-b-c-d', stamp: '20261122T020000Z' }],
    ['etc_copy-20270101T000000Z', { target: 'etc_copy', stamp: '20270101T000000Z' }],
    ['x--20261122T020000Z', { target: 'x-', stamp: '20261122T020000Z' }],
  ])('%s', (id, expected) => {
    expect(parseBackupId(id)).toStrictEqual(expected);
    expect(backupId(expected.target, expected.stamp)).toBe(id);
  });

  it.each(['app', '', '-20261122T020000Z', 'app-20261122', 'app-20261122T020000Z-1', 'app_20261122T020000Z', 'app-20261122t020000z', 'shop-db-'])(
    '%j is not a backup id',
    (id) => {
      expect(() => parseBackupId(id)).toThrow(new Error(`not a backup id: "${id}" (expected <target>-<YYYYMMDDTHHMMSSZ>)`));
    },
  );
});

describe('verifyDatabaseName', () => {
  const now = new Date('2026-11-22T02:03:04.567Z');
  it.each<[string, string]>([
    ['app', 'verify_app_6a832c_20261122t020304z'],
    ['shop-db', 'verify_shop_db_4947ee_20261122t020304z'],
    ['a-b_c', 'verify_a_b_c_669535_20261122t020304z'],
    ['my-app', 'verify_my_app_484009_20261122t020304z'],
    ['my_app', 'verify_my_app_559637_20261122t020304z'],
    ['a'.repeat(40), `verify_${'a'.repeat(30)}_83bc4d_20261122t020304z`],
  ])('%s -> %s', (target, name) => {
    expect(verifyDatabaseName(target, now)).toBe(name);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  it.each<[string, string]>([
    ['shop-db', 'restore_shop_db_4947ee_20261122t020304z'],
    ['a'.repeat(40), `restore_${'a'.repeat(30)}_83bc4d_20261122t020304z`],
  ])('restoreScratchName: %s -> %s, within 63 characters', (target, name) => {
    expect(restoreScratchName(target, now)).toBe(name);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});

describe('scratchDatabaseAge', () => {
  const now = new Date('2026-11-22T09:03:04Z');
  it.each<[string, number | undefined]>([
    ['verify_app_20261122t020304z', 7 * HOUR],
    ['verify_shop_db_20261122t090304z', 0],
    ['verify_a_b_c_20261121t090304z', 24 * HOUR],
    ['verify_app_20261122t100304z', -HOUR],
    ['verify_app', undefined],
    ['verify__20261122t020304z', undefined],
    ['app_20261122t020304z', undefined],
    ['VERIFY_APP_20261122T020304Z', undefined],
    ['verify_app_20261122T020304Z', undefined],
    ['verify_app_20261122t020304z_old', undefined],
    ['restore_app_6a832c_20261122t020304z', 7 * HOUR],
    ['restored_app_20261122t020304z', undefined],
    ['app_restored_20261122t020304z', undefined],
  ])('%s -> %s ms', (name, age) => {
    expect(scratchDatabaseAge(name, now)).toBe(age);
  });

  it('reads back the age of a name verifyDatabaseName or restoreScratchName made', () => {
    const created = new Date('2026-11-22T02:00:00Z');
    expect(scratchDatabaseAge(verifyDatabaseName('shop-db', created), new Date('2026-11-22T08:30:00Z'))).toBe(6.5 * HOUR);
    expect(scratchDatabaseAge(restoreScratchName('shop-db', created), new Date('2026-11-22T08:30:00Z'))).toBe(6.5 * HOUR);
  });
});

describe('scratchLockKey', () => {
  // FNV-1a 64's published test vectors (cbf29ce484222325, af63dc4c8601ec8c, 85944171f73967e8), as signed bigints.
  it.each<[string, string]>([
    ['', '-3750763034362895579'],
    ['a', '-5808556873153909620'],
    ['foobar', '-8821353812377114648'],
    ['verify_app_6a832c_20261122t020304z', '-8640479362486353048'],
    ['verify_shop_db_4947ee_20261122t020304z', '-5811836589005210775'],
  ])('%j -> %s', (name, key) => {
    expect(scratchLockKey(name)).toBe(key);
  });

  it('stays within a signed 64-bit bigint', () => {
    const key = BigInt(scratchLockKey('verify_x_000000_20261122t020304z'));
    expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
  });
});
