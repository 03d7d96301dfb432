/**
 * The ops leg of bench:offsite, in a process of its own so that its peak memory is its own: loads
 * the config file in OPS_CONFIG (the S3 keys as ${ENV} secrets in its environment), then copies
 * BACKUP_ID to DESTINATION the way the copyOffsite activity does (the store named in the config,
 * the entry from the repository, store.copy). Prints the confirmation, the copy's seconds and the
 * process's peak RSS (VmHWM) as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { offsiteStoreNamed } from '../src/activities/offsite/offsite-store.js';
import { BackupRepository } from '../src/records/backup-repository.js';
import { loadConfig } from '../src/config/load-config.js';
import { procStatusBytes } from './rss-sampler.js';

const config = loadConfig(process.env.OPS_CONFIG!);
const store = await offsiteStoreNamed(config, process.env.DESTINATION!);
const entry = await new BackupRepository(config.repository).get(process.env.BACKUP_ID!);
const startRss = procStatusBytes(process.pid, 'VmRSS');
const started = performance.now();
const confirmed = await store.copy(entry, new AbortController().signal);
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ ...confirmed, seconds, startRssBytes: startRss, peakRssBytes: procStatusBytes(process.pid, 'VmHWM') }));
