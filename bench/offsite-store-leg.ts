/**
 * The "store, then copy offsite" leg of bench:offsite, in a process of its own: the artifact of
 * BACKUP_ID is streamed into the repository as a new backup the way a dump's output is (`cat`
 * stands in for the dump tool's stdout), through `age -e` when the config in OPS_CONFIG has
 * backup.encryption, then that backup is copied to DESTINATION as the copyOffsite activity does.
 * Run with and without encryption, the difference between the two is encryption's whole cost:
 * the age stage in the dump stream, and the larger ciphertext (plus the sealed contents file) on
 * the wire. Prints both steps' seconds and the peak RSS as one JSON line.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StreamedDumpOutcome } from '../src/activities/backup/dump-outcome.js';
import { artifactName, encryptStage, sealOutcome, streamedHashes } from '../src/activities/encryption/seal-dump.js';
import { offsiteStoreNamed } from '../src/activities/offsite/offsite-store.js';
import { streamCommandsToFile } from '../src/activities/process/stream-to-file.js';
import { loadConfig } from '../src/config/load-config.js';
import { backupId, stampOf } from '../src/core/backup-id.js';
import { BackupRepository } from '../src/records/backup-repository.js';
import { procStatusBytes } from './rss-sampler.js';

const config = loadConfig(process.env.OPS_CONFIG!);
const repository = new BackupRepository(config.repository);
const source = await repository.get(process.env.BACKUP_ID!);
const recipients = config.backup.encryption?.recipients;
const store = await offsiteStoreNamed(config, process.env.DESTINATION!);

const started = performance.now();
// Backup ids are per second; every leg runs for seconds, so this one is new.
const stamp = stampOf(new Date());
const partial = await repository.startPartial(source.target, stamp, 1);
const artifact = artifactName(source.manifest.artifact, recipients);
const file = await streamCommandsToFile([{ file: 'cat', args: ['--', join(source.dir, source.manifest.artifact)] }, ...encryptStage(recipients)], join(partial, artifact), { hashLastInput: recipients !== undefined });
const { formatVersion: _v, id: _id, target: _t, kind: _k, startedAt: _s, finishedAt: _f, ...sourceOutcome } = source.manifest;
const outcome: StreamedDumpOutcome = { ...sourceOutcome, artifact, ...streamedHashes(file), tables: [] };
const sealed = await sealOutcome(outcome, partial, recipients);
const startedAt = new Date().toISOString();
await repository.commit(partial, { formatVersion: source.manifest.formatVersion, kind: source.manifest.kind, target: source.target, ...sealed, id: backupId(source.target, stamp), startedAt, finishedAt: startedAt });
const storedSeconds = (performance.now() - started) / 1000;

const entry = await repository.get(backupId(source.target, stamp));
const confirmed = await store.copy(entry, new AbortController().signal);
const seconds = (performance.now() - started) / 1000;
await repository.remove(entry.id);
console.log(JSON.stringify({ ...confirmed, seconds, storedSeconds, peakRssBytes: procStatusBytes(process.pid, 'VmHWM') }));
