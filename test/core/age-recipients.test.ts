import { describe, expect, it } from 'vitest';
import { AGE_RECIPIENT_PATTERN, ageErrorLine, classifyAgeFailure, isAgeRecipient, matchingRecipients, needsReencrypt, recipientFingerprint, rewrapLeftovers, rewrappedName, rewrapTempName, staleOffsiteCopies, type AgeFailure } from '../../src/core/age-recipients.js';

const ALICE = 'age1da6twdwsrer2wlxhapf353q7x630pzj3gy0jwyfzflgle7e7kusquw25jw';
const BOB = 'age1mjxepjk59r69mxt55em87gx4t3nl0myjz2wvyalkj7aw3gg46fkseq9037';
const ALICE_FP = 'a19a75e2ac2e';
const BOB_FP = '641386f7c735';

describe('recipientFingerprint: the first 12 hex of SHA-256 of the recipient string', () => {
  it.each([
    [ALICE, ALICE_FP],
    [BOB, BOB_FP],
    [` ${ALICE}\n`, ALICE_FP],
  ])('%j -> %s', (recipient, fingerprint) => {
    expect(recipientFingerprint(recipient)).toBe(fingerprint);
  });
});

describe('AGE_RECIPIENT_PATTERN', () => {
  it.each([
    [ALICE, true],
    [BOB, true],
    [ALICE.toUpperCase(), false],
    [ALICE.slice(0, -1), false],
    [`${ALICE}q`, false],
    ['AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', false],
    ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI', false],
    ['age1bqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', false],
  ])('%s -> %s', (text, valid) => {
    expect(AGE_RECIPIENT_PATTERN.test(text)).toBe(valid);
  });
});

describe('isAgeRecipient: the shape and the bech32 checksum', () => {
  it.each([
    [ALICE, true],
    [BOB, true],
    ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', true],
    [`${ALICE.slice(0, 20)}${ALICE[20] === 'q' ? 'p' : 'q'}${ALICE.slice(21)}`, false],
    [`${ALICE.slice(0, -1)}${ALICE.endsWith('q') ? 'p' : 'q'}`, false],
    [ALICE.slice(0, -1), false],
    ['age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', false],
  ])('%s -> %s', (text, valid) => {
    expect(isAgeRecipient(text)).toBe(valid);
  });
});

describe('matchingRecipients: which of an artifact\'s recipients an identity opens', () => {
  it.each<[string[], string[], string[]]>([
    [[ALICE], [ALICE_FP], [ALICE_FP]],
    [[ALICE], [BOB_FP, ALICE_FP], [ALICE_FP]],
    [[BOB, ALICE], [ALICE_FP, BOB_FP], [ALICE_FP, BOB_FP]],
    [[BOB], [ALICE_FP], []],
    [[], [ALICE_FP], []],
  ])('identity keys %j, artifact %j -> %j', (keys, artifact, expected) => {
    expect(matchingRecipients(keys, artifact)).toEqual(expected);
  });
});

describe('needsReencrypt: made for other recipients than the current ones', () => {
  it.each<[string[], string[], boolean]>([
    [[ALICE_FP], [ALICE], false],
    [[ALICE_FP, BOB_FP], [BOB, ALICE], false],
    [[ALICE_FP], [BOB], true],
    [[ALICE_FP], [ALICE, BOB], true],
    [[ALICE_FP, BOB_FP], [ALICE], true],
  ])('made for %j, current %j -> %s', (made, current, expected) => {
    expect(needsReencrypt(made, current)).toBe(expected);
  });
});

describe('classifyAgeFailure: age exits 1 for everything, its message tells the cause', () => {
  it.each<[string, AgeFailure]>([
    ['age: error: no identity matched any of the recipients\nage: report unexpected or unhelpful errors at https://filippo.io/age/report', 'wrong-identity'],
    ['age: error: failed to decrypt and authenticate payload chunk\nage: report unexpected or unhelpful errors at https://filippo.io/age/report', 'corrupt'],
    ['age: error: failed to read header: parsing age header: unexpected EOF', 'corrupt'],
    ['age: error: failed to decrypt header: bad header MAC', 'corrupt'],
    ['age: error: failed to open input file "/x": open /x: no such file or directory', 'other'],
    ['', 'other'],
  ])('%j -> %s', (stderr, expected) => {
    expect(classifyAgeFailure(stderr)).toBe(expected);
  });
});

describe('ageErrorLine: age\'s first line, without the bytes of the input it quotes', () => {
  it.each<[string, string]>([
    ['age: error: failed to read header: parsing age header: unexpected intro: "-- PostgreSQL database dump\\n"\nage: report unexpected or unhelpful errors at https://filippo.io/age/report', 'age: error: failed to read header: parsing age header: unexpected intro'],
    ['age: error: failed to read header: parsing age header: unexpected intro: "INSERT INTO \\"companies\\" VALUES (1,\\"x\\");\\n"', 'age: error: failed to read header: parsing age header: unexpected intro'],
    ['age: error: failed to read header: parsing age header: unexpected intro: "(\\xb5/\\xfd\\x04X cut short', 'age: error: failed to read header: parsing age header: unexpected intro'],
    ['age: error: failed to decrypt and authenticate payload chunk\nage: report unexpected or unhelpful errors at https://filippo.io/age/report', 'age: error: failed to decrypt and authenticate payload chunk'],
    ['', ''],
  ])('%j -> %j', (stderr, expected) => {
    expect(ageErrorLine(stderr)).toBe(expected);
  });
});

describe('rewrappedName: a re-wrapped file sits beside the old one, named by the recipient set', () => {
  it.each<[string, string[], string]>([
    ['dump.pgc.age', [ALICE], 'dump.pgc.k8b3fea51.age'],
    ['dump.pgc.age', [ALICE, BOB], 'dump.pgc.k42d8a2c2.age'],
    ['dump.pgc.age', [BOB, ALICE], 'dump.pgc.k42d8a2c2.age'],
    ['dump.pgc.k8b3fea51.age', [BOB], 'dump.pgc.kfcedd503.age'],
    ['dump.sql.zst.age', [BOB], 'dump.sql.zst.kfcedd503.age'],
    ['contents.json.age', [ALICE], 'contents.json.k8b3fea51.age'],
  ])('%s for %j -> %s', (name, recipients, expected) => {
    expect(rewrappedName(name, recipients)).toBe(expected);
  });
});

describe('rewrapLeftovers: what earlier re-wraps left beside the files the manifest names', () => {
  const current = ['dump.pgc.kfcedd503.age', 'contents.json.kfcedd503.age'];
  it.each<[string[], string[]]>([
    [[...current, 'manifest.json', 'verify.json', 'offsite.json', 'verify.json.age'], []],
    [[...current, '.reencrypt-dump.pgc.k8b3fea51.age', '.reencrypt-contents.json.k8b3fea51.age'], ['.reencrypt-dump.pgc.k8b3fea51.age', '.reencrypt-contents.json.k8b3fea51.age']],
    [[...current, 'dump.pgc.age', 'contents.json.age'], ['dump.pgc.age', 'contents.json.age']],
    [[...current, 'dump.pgc.k8b3fea51.age', 'dump.sql.zst.age'], ['dump.pgc.k8b3fea51.age']],
    [[...current, 'dump.pgc'], []],
  ])('%j -> %j', (names, leftovers) => {
    expect(rewrapLeftovers(names, current)).toEqual(leftovers);
  });

  it('a temp name is hidden and keeps the final name', () => {
    expect(rewrapTempName('dump.pgc.kfcedd503.age')).toBe('.reencrypt-dump.pgc.kfcedd503.age');
  });
});

describe('staleOffsiteCopies: copies recorded with another ciphertext than the manifest\'s', () => {
  it.each<[Record<string, { status: string; sha256Confirmed?: string }> | undefined, string[]]>([
    [undefined, []],
    [{ '/srv/offsite': { status: 'copied', sha256Confirmed: 'new' } }, []],
    [{ '/srv/offsite': { status: 'copied', sha256Confirmed: 'old' }, 's3://b/p': { status: 'copied', sha256Confirmed: 'new' } }, ['/srv/offsite']],
    [{ 's3://b/p': { status: 'failed' } }, []],
  ])('%j -> %j', (copies, expected) => {
    expect(staleOffsiteCopies('new', copies)).toEqual(expected);
  });
});
