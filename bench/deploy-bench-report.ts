import type { StepTiming } from './activity-timeline.js';
import { median } from './bench-report.js';
import type { ScriptRun } from './deploy-script.js';
import type { WorkflowRun } from './deploy-rig.js';
import type { RoundTrips } from './ssh-multiplexing.js';

/** CPU seconds (user + sys) spent during one deploy, by process tree. */
export interface CpuSeconds {
  bench: number;
  script: number;
  worker: number;
  temporal: number;
  sshd: number;
}

/** `cpu` of the deploy; `sshConnections` names each ssh connection it opened (see ssh-counter.ts). */
export interface DeployBenchRun {
  bare: ScriptRun & { cpu: CpuSeconds; sshConnections: string[] };
  workflow: WorkflowRun & { cpu: CpuSeconds; sshConnections: string[] };
  bareFirst: boolean;
}

export interface DeployBenchReport {
  target: string;
  health: { intervalSeconds: number; stableSeconds: number };
  sshMultiplexing: boolean;
  runs: DeployBenchRun[];
  warmup: { bare: number; workflow: number };
  startupSeconds: number;
  roundTrips: RoundTrips;
  load: { cpus: number; start: number; end: number };
}

/** Activities that do one of the script's steps; the others (plan, current release, release log, prune, report) are bookkeeping it has no counterpart for. */
const SCRIPT_COUNTERPARTS = new Set(['resolveRef', 'prepareRelease', 'syncRelease', 'buildRelease', 'switchRelease', 'checkHealth', 'runSmoke']);

const pad = (text: string, width: number) => text.padStart(width);
const secs = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Workflow total over bare-script total, both as medians over the runs. */
export function overheadRatio(runs: DeployBenchRun[]): number {
  return median(runs.map((r) => r.workflow.total)) / median(runs.map((r) => r.bare.total));
}

/** An activity with the workflow-task time before it: since the previous activity completed (or the run started). */
interface ActivityRow extends StepTiming {
  gap: number;
}

function activityRows(steps: StepTiming[]): ActivityRow[] {
  return steps.map((step, i) => {
    const previous = steps[i - 1];
    return { ...step, gap: step.at - (previous ? previous.at + previous.queued + previous.ran : 0) };
  });
}

/** Every run schedules the same activities in the same order (a stage's name repeats), so rows match by position. */
function medianActivities(runs: DeployBenchRun[]): ActivityRow[] {
  const perRun = runs.map((r) => activityRows(r.workflow.timeline.steps));
  const m = (i: number, pick: (row: ActivityRow) => number) => median(perRun.map((rows) => pick(rows[i]!)));
  return perRun[0]!.map((first, i) => ({ name: first.name, at: m(i, (s) => s.at), gap: m(i, (s) => s.gap), queued: m(i, (s) => s.queued), ran: m(i, (s) => s.ran) }));
}

/** The result; the last line is `deploy_overhead_ratio=…`, which scripts read. */
export function renderDeployReport(report: DeployBenchReport): string[] {
  const { runs } = report;
  const m = (pick: (run: DeployBenchRun) => number) => median(runs.map(pick));
  const bareTotal = m((r) => r.bare.total);
  const workflowTotal = m((r) => r.workflow.total);
  const activities = runs[0]!.workflow.timeline.steps.length;
  for (const run of runs) {
    if (run.workflow.timeline.steps.length !== activities) throw new Error(`runs scheduled different activities (${activities} vs ${run.workflow.timeline.steps.length})`);
  }

  const stepNames = [...runs[0]!.workflow.steps.keys()];
  const stepOf = (steps: Map<string, number>, name: string) => steps.get(name);
  const outside = (total: number, steps: Map<string, number>) => total - sum([...steps.values()]);
  const rows: Array<[string, number | undefined, number | undefined]> = [
    ...stepNames.map((name): [string, number | undefined, number | undefined] => [
      name,
      runs.every((r) => r.bare.steps.has(name)) ? m((r) => stepOf(r.bare.steps, name)!) : undefined,
      m((r) => stepOf(r.workflow.steps, name) ?? 0),
    ]),
    ['outside these steps', m((r) => outside(r.bare.total, r.bare.steps)), m((r) => outside(r.workflow.total, r.workflow.steps))],
    ['total', bareTotal, workflowTotal],
  ];
  const label = Math.max(28, ...rows.map(([name]) => name.length));
  const order = runs.map((r, i) => (r.bareFirst ? i + 1 : undefined)).filter((i) => i !== undefined);

  const lines = [
    `deploy of the sample app, staging then prod, over ssh to ${report.target} (docker stand-in); health every ${report.health.intervalSeconds} s until healthy, then stable ${report.health.stableSeconds} s`,
    `ssh: ${report.sshMultiplexing ? 'ControlMaster multiplexing (ssh.options) for both' : 'a new connection per ssh/rsync command, as configured by default'}`,
    `${runs.length} run(s), each deploying a new commit, after one untimed warm-up of each (bare ${secs(report.warmup.bare)} s, workflow ${secs(report.warmup.workflow)} s); ` +
      `bare first in run(s) ${order.join(', ') || 'none'}; figures are medians`,
    `worker start-up to polling (bundles the workflows; not timed): ${report.startupSeconds.toFixed(1)} s`,
    '',
    `${'wall time (s)'.padEnd(label)}  ${pad('bare script (a)', 15)}  ${pad('workflow (b)', 12)}  ${pad('b - a', 7)}`,
    ...rows.map(([name, a, b]) => `${name.padEnd(label)}  ${pad(secs(a), 15)}  ${pad(secs(b), 12)}  ${pad(a === undefined || b === undefined ? '' : (b - a).toFixed(2), 7)}`),
    `per run totals (s): bare ${runs.map((r) => secs(r.bare.total)).join(', ')}; workflow ${runs.map((r) => secs(r.workflow.total)).join(', ')}`,
    '',
    `steps: ${activities} (activities one deploy runs)`,
    `orchestration overhead per step: ${(((workflowTotal - bareTotal) / activities) * 1000).toFixed(0)} ms  ((b - a) / ${activities})`,
    '',
    'workflow activities from the server history (s): at = since the run started; gap = since the previous activity',
    'completed (workflow task and scheduling); queued = scheduled → picked up by the worker; ran = picked up → completed',
    `  ${'activity'.padEnd(label - 2)}  ${pad('at', 7)} ${pad('gap', 7)} ${pad('queued', 7)} ${pad('ran', 7)}`,
  ];
  const medianRows = medianActivities(runs);
  for (const row of medianRows) lines.push(`  ${row.name.padEnd(label - 2)}  ${pad(secs(row.at), 7)} ${pad(secs(row.gap), 7)} ${pad(secs(row.queued), 7)} ${pad(secs(row.ran), 7)}`);
  const ran = m((r) => sum(r.workflow.timeline.steps.map((s) => s.ran)));
  const queued = m((r) => sum(r.workflow.timeline.steps.map((s) => s.queued)));
  const span = m((r) => r.workflow.timeline.span);
  const ranOf = (r: DeployBenchRun, counterpart: boolean) => sum(r.workflow.timeline.steps.filter((s) => SCRIPT_COUNTERPARTS.has(s.name) === counterpart).map((s) => s.ran));
  const bookkeeping = [...new Set(runs[0]!.workflow.timeline.steps.map((s) => s.name).filter((name) => !SCRIPT_COUNTERPARTS.has(name)))];
  const scheduling = m((r) => r.workflow.total - ranOf(r, true) - ranOf(r, false));
  lines.push(
    `  (b) ${secs(workflowTotal)} s = in activities ${secs(ran)} + queued ${secs(queued)} + gaps and final workflow task ${secs(span - ran - queued)}` +
      ` + client start/result beyond the server's history ${secs(workflowTotal - span)}`,
    `where b - a goes (s, medians): bookkeeping activities the script has no counterpart for (${bookkeeping.join(', ')}) ${secs(m((r) => ranOf(r, false)))}; ` +
      `activities doing the script's steps, beyond the script ${secs(m((r) => ranOf(r, true) - r.bare.total))}; ` +
      `Temporal scheduling and workflow tasks ${secs(scheduling)} (${((scheduling / activities) * 1000).toFixed(0)} ms per step)`,
    '',
    ...renderCpu(runs, label),
    '',
    ...renderSsh(runs),
    `ssh round trip (ssh host true), median of 10: new connection ${report.roundTrips.fresh.toFixed(0)} ms; ` +
      `over a ControlMaster connection ${report.roundTrips.multiplexed.toFixed(0)} ms (the call that opens it: ${report.roundTrips.opening.toFixed(0)} ms)`,
    `host: ${report.load.cpus} CPUs; 1-min load average ${report.load.start.toFixed(2)} at start, ${report.load.end.toFixed(2)} at end`,
    `deploy_overhead_ratio=${overheadRatio(runs).toFixed(3)}`,
  );
  return lines;
}

function renderCpu(runs: DeployBenchRun[], label: number): string[] {
  const m = (pick: (run: DeployBenchRun) => number) => median(runs.map(pick));
  const rows: Array<[string, keyof CpuSeconds]> = [
    ['bench process (client)', 'bench'],
    ['bare script and its tools', 'script'],
    ['worker and its children', 'worker'],
    ['Temporal dev server', 'temporal'],
    ['sshd and its sessions', 'sshd'],
  ];
  const total = (cpu: CpuSeconds) => sum(Object.values(cpu));
  return [
    `${'CPU seconds (user + sys)'.padEnd(label)}  ${pad('bare script (a)', 15)}  ${pad('workflow (b)', 12)}`,
    ...rows.map(([name, key]) => `${name.padEnd(label)}  ${pad(secs(m((r) => r.bare.cpu[key])), 15)}  ${pad(secs(m((r) => r.workflow.cpu[key])), 12)}`),
    `${'total'.padEnd(label)}  ${pad(secs(m((r) => total(r.bare.cpu))), 15)}  ${pad(secs(m((r) => total(r.workflow.cpu))), 12)}`,
  ];
}

/** How many ssh connections each side opened per deploy, and for what (the last run's). */
function renderSsh(runs: DeployBenchRun[]): string[] {
  const breakdown = (connections: string[]) => {
    const counts = new Map<string, number>();
    for (const what of connections) counts.set(what, (counts.get(what) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([what, n]) => `${n}× ${what}`).join(', ');
  };
  const last = runs.at(-1)!;
  return [
    `ssh connections per deploy (rsync's included): bare ${median(runs.map((r) => r.bare.sshConnections.length))}, workflow ${median(runs.map((r) => r.workflow.sshConnections.length))}`,
    `  bare:     ${breakdown(last.bare.sshConnections)}`,
    `  workflow: ${breakdown(last.workflow.sshConnections)}`,
  ];
}
