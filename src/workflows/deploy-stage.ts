import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SwitchMove } from '../activities/deploy/build-and-switch.js';
import type { DeployActivities } from '../activities/deploy/deploy-activities.js';
import type { SmokeLevel } from '../contracts/deploy.js';
import type { HostReport, StageOutcome, StageReport } from '../core/deploy-report.js';
import { describeMigrationNeed, type MigrationNeed } from '../core/migration-need.js';
import type { ReleaseLogEntry } from '../core/release-log.js';
import { gateSteps, hostSteps, onRole, quickSteps } from './activity-options.js';
import type { ApprovalDecision } from './deploy-signals.js';
import { takePreDeployBackup, type MigrationBackupPlan } from './pre-deploy-backup.js';
import { innermostMessage, type trackProgress } from './progress.js';
import { batches, hostsOf, onEvery, type HostName, type StageHosts } from './stage-hosts.js';
import { withSummary } from './with-summary.js';

const quick = proxyActivities<DeployActivities>(onRole('deploy', quickSteps));
const host = proxyActivities<DeployActivities>(onRole('deploy', hostSteps));
const gate = proxyActivities<DeployActivities>(onRole('deploy', gateSteps));

export type Progress = ReturnType<typeof trackProgress>;
type ReleaseEvent = ReleaseLogEntry['event'];
type Step = <T>(name: string, body: () => Promise<T>) => Promise<T>;

/** What every stage of one deploy run shares: the release, who asked, and how it is tested. */
export interface StageRelease {
  app: string;
  ref: string;
  sha: string;
  startedBy: string;
  smokeLevel?: SmokeLevel;
  skipPromotionCheck?: boolean;
  /** build.once: the stage whose host builds the images; every other stage gets them shipped from there. */
  buildStage?: string;
  /** The app has a migration (of this database): each stage decides whether to run it. */
  migration?: MigrationBackupPlan;
  /** `ops deploy --migrate`: run it whatever changed. */
  migrate?: boolean;
  /** Each stage's hosts and rollout batch size; none in a run planned before stages had several. */
  hosts?: StageHosts;
}

export function short(sha: string): string {
  return sha.slice(0, 12);
}

/** Cleanup that must finish even when the run is being cancelled: a cancel never leaves a host half-switched or a run unreported. */
export function uncancellable<T>(body: () => Promise<T>): Promise<T> {
  return CancellationScope.nonCancellable(body);
}

/** A stage's steps as its report lists them: the run's progress lines for that stage, without the stage prefix. */
export function stageSteps(progress: Progress, stage: string): StageReport['steps'] {
  return progress.snapshot().filter((s) => s.step.startsWith(`${stage} `)).map((s) => ({ ...s, step: s.step.slice(stage.length + 1) }));
}

/**
 * One stage of a deploy, as the runbook says: sync → build (build.once: ship, on every stage but the
 * run's first) → switch → health gate → smoke → release
 * log. A failure before the switch leaves the stage as it was; one after it rolls back to the release
 * the stage replaced (for a redeploy, the last healthy one before it). Returns the stage's report.
 *
 * A stage of several hosts syncs and builds on all of them at once, migrates once on the first, then
 * switches `rollout.parallel` hosts at a time, each behind its own health gate, and smokes once at
 * the end; a failure rolls back every host whose switch started, each to its own previous release.
 */
export async function deployStage(release: StageRelease, stage: string, progress: Progress, approval?: ApprovalDecision): Promise<StageReport> {
  const report: StageReport = { stage, outcome: 'failed', steps: [], ...(approval ? { approval } : {}) };
  report.outcome = await runStage(release, report, progress);
  report.steps = stageSteps(progress, stage);
  return report;
}

async function runStage(release: StageRelease, report: StageReport, progress: Progress): Promise<StageOutcome> {
  const { stage } = report;
  const { sha } = release;
  const at = { app: release.app, stage };
  const { names: hosts, parallel } = hostsOf(release.hosts, stage);
  const first = hosts[0];
  // A stage of one host keeps the names it always had: `sync`, `switch`, `health`.
  const several = hosts.length > 1;
  const on = (h: HostName) => ({ ...at, ...(h ? { host: h } : {}) });
  const where = (h: HostName) => `${release.app}@${stage}${several ? ` on ${h}` : ''}`;
  const named = (name: string, h: HostName) => (several ? `${name} ${h}` : name);
  let current = '';
  const step = <T>(name: string, body: () => Promise<T>, failure?: (result: T) => string | undefined) => {
    current = name;
    return progress.run(`${stage} ${name}`, body, failure);
  };
  const why = (err: unknown) => (isCancellation(err) ? `cancelled during ${current}` : innermostMessage(err));
  const record = releaseLog(release, stage);
  // The release log is history; failing to write it never changes how the deploy ended.
  const log = (h: HostName, event: ReleaseEvent, previous: string | null, detail?: string) => record(h, event, previous, detail).catch(() => undefined);
  const rows = new Map<HostName, HostReport>(hosts.map((h) => [h, { host: h ?? '', outcome: 'not switched' }]));
  const row = (h: HostName) => rows.get(h)!;
  if (several) report.hosts = hosts.map(row);
  // Which host a step failed on, for a stage of several: the first failure is the one the stage reports.
  let failedOn: HostName;
  const onHost = async <T>(h: HostName, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (err) {
      row(h).error ??= why(err);
      if (failedOn === undefined) failedOn = h;
      throw err;
    }
  };
  const stageError = (err: unknown) => (several && failedOn ? `${failedOn}: ${why(err)}` : why(err));

  const synced = new Map<HostName, { previous: string | null; rollbackTo: string | null; redundant: string[] }>();
  try {
    // The sync also reads what `current` points at, and from that the release to roll back to if anything after the switch fails.
    const sync = (h: HostName) => onHost(h, async () => {
      const result = await step(named('sync', h), () => withSummary(host, `sync ${where(h)} ${short(sha)}`).syncRelease({ ...on(h), sha }));
      synced.set(h, result);
      row(h).previous = result.previous;
    });
    const build = (h: HostName) => onHost(h, () => step(named('build', h), () => withSummary(host, `build ${where(h)} ${short(sha)}`).buildRelease({ ...on(h), sha })));
    const ship = (h: HostName, from: string, fromHost: HostName) =>
      onHost(h, () => step(named('ship', h), () => withSummary(host, `ship images ${release.app}@${from}${fromHost && several ? ` on ${fromHost}` : ''} to ${several ? `${stage} on ${h}` : stage} ${short(sha)}`).shipImages({ ...on(h), sha, from, ...(fromHost ? { fromHost } : {}) })));
    const from = release.buildStage;
    const built = new Map<HostName, { images?: Record<string, string> }>();
    const keep = (h: HostName) => (result: { images?: Record<string, string> }) => {
      built.set(h, result);
      if (result.images) row(h).images = result.images;
    };
    // Builds here, or ships from the build stage's first host (build.once, a later stage).
    const buildOn = (h: HostName) => (from ? ship(h, from, hostsOf(release.hosts, from).names[0]) : build(h)).then(keep(h));
    if (!release.migration && from !== stage) {
      // Nothing comes between a host's sync and its build: each host builds as soon as its own sync is done, not when the slowest one's is.
      await onEvery(hosts, (h) => sync(h).then(() => buildOn(h)));
    } else {
      await onEvery(hosts, sync);
      // The migration and its backup happen once per stage, on its first host, before any host switches.
      if (release.migration) {
        report.migration = await planMigration(release, synced.get(first)!.previous, step, (detail) => progress.mark(`${stage} migration plan`, 'done', detail));
        if (report.migration.run) {
          const plan = release.migration;
          const backup = await step('pre-deploy backup', () => takePreDeployBackup(plan, release.app, sha));
          report.preDeployBackup = backup;
          progress.mark(`${stage} pre-deploy backup`, backup.verify === 'passed' ? 'done' : 'failed', `${backup.backupId} (${backup.tag}): verify ${backup.verify}`);
          if (backup.verify !== 'passed') throw ApplicationFailure.nonRetryable(`pre-deploy backup ${backup.backupId} of ${plan.database} did not pass verify${backup.error ? `: ${backup.error}` : ''}; nothing was migrated or switched`, 'VerifyFailed');
        }
      }
      if (from === stage) {
        // build.once: the first host builds; every other host of the stage starts exactly those images.
        await build(first).then(keep(first));
        await onEvery(hosts.slice(1), (h) => ship(h, stage, first).then(keep(h)));
      } else {
        await onEvery(hosts, buildOn);
      }
    }
    const images = built.get(first)?.images;
    if (images) report.images = images;
    if (report.migration?.run) {
      // Before the switch: a failed migration leaves the old release serving.
      const migrated = await step('migrate', () => withSummary(host, `migrate ${where(first)} ${short(sha)}`).runMigration({ ...on(first), sha }), (r) => (r.status === 'failed' ? `migration failed (exit ${r.exitCode ?? 'signal'})` : undefined));
      report.migrationRun = migrated;
      if (migrated.status === 'failed') throw ApplicationFailure.nonRetryable(`migration failed (exit ${migrated.exitCode ?? 'signal'}); not switched`, 'MigrationFailed');
    }
  } catch (err) {
    report.error = stageError(err);
    // The release still running is what this one would have replaced; unknown only when the sync never read it.
    await uncancellable(() => onEvery(hosts, (h) => log(h, 'failed', synced.get(h)?.previous ?? null, report.error)));
    return isCancellation(err) ? 'cancelled' : 'failed';
  }
  const { previous, rollbackTo } = synced.get(first)!;
  report.previous = previous;
  report.rollbackTo = rollbackTo;
  // Every host whose switch started, the failed one included: those are the ones a failure rolls back.
  const switched: HostName[] = [];
  try {
    for (const batch of batches(hosts, parallel)) {
      await onEvery(batch, (h) => onHost(h, async () => {
        switched.push(h);
        // Never cut short: a cancelled `up` racing the rollback's `up` could leave the new release running under the old `current`.
        await step(named('switch', h), () => uncancellable(() => withSummary(host, `switch ${where(h)} to ${short(sha)}`).switchRelease({ ...on(h), sha, move: 'deploy', replacing: synced.get(h)!.previous })));
        row(h).switchedTo = sha;
        row(h).health = 'failed';
        const health = await step(named('health', h), () => withSummary(gate, `health ${where(h)}`).checkHealth(on(h)));
        row(h).health = 'passed';
        // A stage of several hosts has a health column per host instead.
        if (!several) report.health = health;
      }));
    }
    // Once, after every host is switched and healthy: the smoke suite tests the stage's base URL (its load balancer).
    const level = release.smokeLevel ?? 'smoke';
    const smoke = await step('smoke', () => withSummary(gate, `${level} ${release.app}@${stage}`).runSmoke({ ...at, sha, level }), (r) => (r.status === 'failed' ? `smoke tests failed (exit ${r.exitCode})` : undefined));
    report.smoke = smoke;
    if (smoke.status === 'failed') throw ApplicationFailure.nonRetryable(`smoke tests failed (exit ${smoke.exitCode})`, 'SmokeFailed');
    for (const h of hosts) row(h).outcome = 'deployed';
    // Logs the deploy and removes the releases it made redundant, on each host; a failure here shows on the step only.
    await onEvery(hosts, (h) => step(named('record', h), () => uncancellable(() => record(h, 'deployed', synced.get(h)!.previous, undefined, synced.get(h)!.redundant)))).catch(() => undefined);
    return 'succeeded';
  } catch (err) {
    report.error = stageError(err);
  }
  const failure = report.error;
  // Each switched host goes back to the release it ran before; hosts not switched yet are left as they are.
  const ends = await uncancellable(() => onEvery(switched, async (h) => {
    const to = synced.get(h)!.rollbackTo;
    if (!to) {
      const error = `${failure}; no previous release to roll back to`;
      row(h).outcome = 'rollback-failed';
      row(h).error = error;
      await log(h, 'rollback-failed', null, error);
      return error;
    }
    const back = await rollBack({
      ...on(h), to, move: 'automatic-rollback', reason: failure,
      step: (name, body) => step(named(`rollback ${name}`, h), body),
      log: (event, detail) => log(h, event, to, detail),
    });
    row(h).outcome = back.outcome === 'rolled-back' ? 'rolled-back' : 'rollback-failed';
    if (back.outcome === 'rolled-back') return undefined;
    row(h).error = back.error;
    return back.error;
  }));
  const unrecovered = switched.flatMap((h, i) => (ends[i] ? [several ? `${h}: ${ends[i]}` : ends[i]!] : []));
  if (unrecovered.length === 0) return 'rolled-back';
  report.error = unrecovered.join('; ');
  return 'rollback-failed';
}

/** Whether the stage migrates, decided against the release it runs now; the step's detail says why. */
async function planMigration(release: StageRelease, running: string | null, step: Step, say: (detail: string) => void): Promise<MigrationNeed> {
  const need = await step('migration plan', () =>
    withSummary(quick, `migration plan ${release.app} ${short(release.sha)}`).planMigration({ app: release.app, from: running, to: release.sha, forced: release.migrate === true }),
  );
  say(describeMigrationNeed(need));
  return need;
}

/** The release log line of one stage of this run, on one of its hosts; the caller says which release it replaced. */
function releaseLog(release: StageRelease, stage: string) {
  const { workflowId, runId } = workflowInfo();
  const unchecked = release.skipPromotionCheck ? { promotionCheck: 'skipped' as const } : {};
  return (h: HostName, event: ReleaseEvent, previous: string | null, detail?: string, prune: string[] = []) =>
    withSummary(quick, `log ${event} ${release.app}@${stage}${h && hostsOf(release.hosts, stage).names.length > 1 ? ` on ${h}` : ''} ${short(release.sha)}`).recordRelease(
      { app: release.app, stage, sha: release.sha, previous, event, by: release.startedBy, ref: release.ref, workflowId, runId, ...(detail ? { detail } : {}), ...unchecked },
      prune,
      h,
    );
}

export type RollbackMove = Exclude<SwitchMove, 'deploy'>;

export type RollbackEvent = Extract<ReleaseEvent, 'rolled-back' | 'manual-rollback' | 'rollback-failed'>;

export interface Rollback {
  app: string;
  stage: string;
  /** One host of the stage; none for the stage's first (its only one with `host:`). */
  host?: string;
  /** The release to go back to; it must still be on the host. */
  to: string;
  move: RollbackMove;
  /** Why the stage goes back (the deploy's failure), carried into the log line; none for `ops rollback`. */
  reason?: string;
  /** Runs a step under its progress name: `switch` and `health`, which a deploy shows as `<stage> rollback switch`. */
  step: Step;
  /** Writes the release log line of how it ended; the caller knows which releases that line names. */
  log: (event: RollbackEvent, detail?: string) => Promise<unknown>;
}

export type RollbackEnd =
  | { outcome: 'rolled-back' }
  /** `refused`: the switch refused before it touched anything, so the stage is as it was. */
  | { outcome: 'refused' | 'rollback-failed'; cause: string; error: string };

/** The switch's label in the Web UI: inside a deploy it reads as the rollback it is; in `ops rollback`, whose run says rollback already, as a switch. */
const SWITCH_VERB: Record<RollbackMove, string> = { 'automatic-rollback': 'roll back', 'manual-rollback': 'switch' };

/**
 * Back to an earlier release: switch to it, and it must pass the health gate again; then the release
 * log says so. The one rollback of a deploy whose stage failed after its switch, and of `ops rollback`.
 */
export async function rollBack(back: Rollback): Promise<RollbackEnd> {
  const at = { app: back.app, stage: back.stage, ...(back.host ? { host: back.host } : {}) };
  const where = `${back.app}@${back.stage}${back.host ? ` on ${back.host}` : ''}`;
  try {
    await back.step('switch', () => withSummary(host, `${SWITCH_VERB[back.move]} ${where} to ${short(back.to)}`).switchRelease({ ...at, sha: back.to, move: back.move }));
    await back.step('health', () => withSummary(gate, `health ${where}`).checkHealth(at));
  } catch (err) {
    const cause = innermostMessage(err);
    const error = back.reason ? `${back.reason}; rollback failed: ${cause}` : cause;
    // A host that cannot take the log line either must not hide why the rollback failed.
    await back.log('rollback-failed', error).catch(() => undefined);
    return { outcome: refusedUntouched(err) ? 'refused' : 'rollback-failed', cause, error };
  }
  await back.log(back.move === 'automatic-rollback' ? 'rolled-back' : 'manual-rollback', back.reason);
  return { outcome: 'rolled-back' };
}

/** switchRelease refuses (PreconditionFailed, or UnknownName for a stage gone from the config) before it touches anything. */
function refusedUntouched(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && (err.cause.type === 'PreconditionFailed' || err.cause.type === 'UnknownName');
}
