import type { StepTiming } from './activity-timeline.js';
import type { BarePhases } from './bare-pipeline.js';
import type { RssPeak } from './rss-sampler.js';
import type { WorkflowTimes } from './workflow-rig.js';

export interface BenchRun {
  bare: BarePhases;
  workflow: WorkflowTimes;
}

export interface BenchReport {
  serverVersion: string;
  sizeBytes: number;
  rows: Record<string, number>;
  runs: BenchRun[];
  startupSeconds: number;
  startupRss: RssPeak;
  highWaterBytes: number;
  /** 1-minute load averages at start and end: other work on the host skews every figure. */
  load: { cpus: number; start: number; end: number };
}

const MiB = 2 ** 20;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Total workflow time over total bare-pipeline time, both as medians over the runs. */
export function overheadRatio(runs: BenchRun[]): number {
  return median(runs.map((r) => r.workflow.total)) / median(runs.map((r) => r.bare.total));
}

function medianSteps(timelines: StepTiming[][]): StepTiming[] {
  return timelines[0]!.map((first) => {
    const same = timelines.map((steps) => steps.find((s) => s.name === first.name)).filter((s): s is StepTiming => s !== undefined);
    return { name: first.name, at: median(same.map((s) => s.at)), queued: median(same.map((s) => s.queued)), ran: median(same.map((s) => s.ran)) };
  });
}

const pad = (text: string, width: number) => text.padStart(width);
const secs = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));
const mb = (bytes: number) => (bytes / MiB).toFixed(0);

/** The result table; the last line is `backup_overhead_ratio=…`, which scripts read. */
export function renderReport(report: BenchReport): string[] {
  const { runs } = report;
  const m = (pick: (run: BenchRun) => number) => median(runs.map(pick));
  const sizeMb = report.sizeBytes / MiB;
  const rate = (seconds: number | undefined) => (seconds === undefined || seconds === 0 ? '-' : (sizeMb / seconds).toFixed(1));
  const bareVerify = (r: BenchRun) => r.bare.checksum + r.bare.createDatabase + r.bare.restore + r.bare.dropDatabase;

  const rows: Array<[string, number | undefined, number | undefined]> = [
    ['dump (pg_dump -Fc to file)', m((r) => r.bare.dump), m((r) => r.workflow.dump)],
    ['  checksum (sha256)', m((r) => r.bare.checksum), undefined],
    ['  create database', m((r) => r.bare.createDatabase), undefined],
    ['  restore (pg_restore)', m((r) => r.bare.restore), m((r) => r.workflow.restore)],
    ['  drop database', m((r) => r.bare.dropDatabase), undefined],
    ['verify (checksum..drop)', m(bareVerify), m((r) => r.workflow.verify)],
    ['other (plan, retention, report, scheduling)', undefined, m((r) => r.workflow.total - r.workflow.dump - r.workflow.verify)],
    ['total', m((r) => r.bare.total), m((r) => r.workflow.total)],
  ];
  const label = Math.max(...rows.map(([name]) => name.length));
  const lines = [
    `PostgreSQL ${report.serverVersion}; pg_database_size ${mb(report.sizeBytes)} MB; rows ${Object.entries(report.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`,
    `dump file ${mb(median(runs.map((r) => r.bare.dumpBytes)))} MB (bare), ${mb(median(runs.map((r) => r.workflow.dumpBytes)))} MB (workflow); ${runs.length} run(s), figures are medians; MB = MiB, MB/s = database size / time`,
    '',
    `${''.padEnd(label)}  ${pad('bare (a)', 17)}  ${pad('workflow (b)', 17)}`,
    `${'step'.padEnd(label)}  ${pad('s', 8)} ${pad('MB/s', 8)}  ${pad('s', 8)} ${pad('MB/s', 8)}`,
    ...rows.map(([name, a, b]) => `${name.padEnd(label)}  ${pad(secs(a), 8)} ${pad(rate(a), 8)}  ${pad(secs(b), 8)} ${pad(rate(b), 8)}`),
    '',
    ...renderCpu(runs, label),
    '',
    `worker RSS (node process): peak during backup ${mb(Math.max(...runs.map((r) => r.workflow.rss.processBytes)))} MB; ` +
      `peak during start-up ${mb(report.startupRss.processBytes)} MB; VmHWM at end ${mb(report.highWaterBytes)} MB`,
    `worker children (pg_dump, pg_restore, ...): peak ${mb(Math.max(...runs.map((r) => r.workflow.rss.childrenBytes)))} MB summed`,
    `worker start-up to polling (bundles workflows; not timed): ${report.startupSeconds.toFixed(1)} s`,
    `host: ${report.load.cpus} CPUs; 1-min load average ${report.load.start.toFixed(2)} at start, ${report.load.end.toFixed(2)} at end`,
    '',
    'workflow steps from the server history (s):  at = since its workflow started',
    `  ${'step'.padEnd(label - 2)}  ${pad('at', 8)} ${pad('queued', 8)} ${pad('ran', 8)}`,
  ];
  const stepLine = (indent: string, s: StepTiming) => `${indent}${s.name.padEnd(label - indent.length)}  ${pad(secs(s.at), 8)} ${pad(secs(s.queued), 8)} ${pad(secs(s.ran), 8)}`;
  for (const step of medianSteps(runs.map((r) => r.workflow.parent.steps))) {
    lines.push(stepLine('  ', step));
    if (step.name.startsWith('child ')) for (const inner of medianSteps(runs.map((r) => r.workflow.child.steps))) lines.push(stepLine('    ', inner));
  }
  if (runs.length > 1) {
    lines.push('', `per run totals (s): bare ${runs.map((r) => secs(r.bare.total)).join(', ')}; workflow ${runs.map((r) => secs(r.workflow.total)).join(', ')}`);
  }
  lines.push(`backup_overhead_ratio=${overheadRatio(runs).toFixed(3)}`);
  return lines;
}

/** CPU seconds barely depend on other load on the host, so they show the extra work even when wall times are noisy. */
function renderCpu(runs: BenchRun[], label: number): string[] {
  const m = (pick: (run: BenchRun) => number) => median(runs.map(pick));
  const bareTotal = (r: BenchRun) => r.bare.cpu.server + r.bare.cpu.tools;
  const workflowTotal = (r: BenchRun) => r.workflow.cpu.server + r.workflow.cpu.worker + r.workflow.cpu.children + r.workflow.cpu.temporal;
  const rows: Array<[string, number | undefined, number]> = [
    ['PostgreSQL server processes', m((r) => r.bare.cpu.server), m((r) => r.workflow.cpu.server)],
    ['pg_dump, pg_restore and other tools', m((r) => r.bare.cpu.tools), m((r) => r.workflow.cpu.children)],
    ['worker node process', undefined, m((r) => r.workflow.cpu.worker)],
    ['Temporal dev server', undefined, m((r) => r.workflow.cpu.temporal)],
    ['total', m(bareTotal), m(workflowTotal)],
  ];
  return [
    `${'CPU seconds (user + sys)'.padEnd(label)}  ${pad('bare (a)', 17)}  ${pad('workflow (b)', 17)}`,
    ...rows.map(([name, a, b]) => `${name.padEnd(label)}  ${pad(secs(a), 17)}  ${pad(secs(b), 17)}`),
    `${'CPU ratio (b/a)'.padEnd(label)}  ${pad((median(runs.map(workflowTotal)) / median(runs.map(bareTotal))).toFixed(3), 36)}`,
  ];
}
