import { median } from './bench-report.js';

/** One round of the multi-host comparison: the same app's 1-host stage and 3-host stage, each deploying a fresh commit alone. */
export interface MultihostRound {
  /** Stage wall (first step start → last step end), seconds. */
  single: number;
  multi: number;
  singleFirst: boolean;
  /** ssh connections the worker opened for the stage, rsync's included. */
  sshSingle: number;
  sshMulti: number;
  /** Seconds per step (sync, build, switch, ...): the 1-host stage's, and the slowest host's in the 3-host stage. */
  stepsSingle: Map<string, number>;
  stepsMulti: Map<string, number>;
}

/** The 3-host stage's wall over the 1-host stage's, both as medians over the rounds. */
export function multihostRatio(rounds: MultihostRound[]): number {
  return median(rounds.map((r) => r.multi)) / median(rounds.map((r) => r.single));
}

/** Its lines; the last is `multihost_ratio=…`. */
export function renderMultihost(rounds: MultihostRound[], stages: { single: string; multi: string; hosts: number; parallel: number }): string[] {
  const m = (pick: (r: MultihostRound) => number) => median(rounds.map(pick));
  return [
    `multi-host stage: ${stages.single} (1 host) against ${stages.multi} (${stages.hosts} hosts, rollout parallel ${stages.parallel}), same app, each run deploying a fresh commit to that stage alone; wall = the stage's first step start → last step end`,
    `  per round, 1 host / ${stages.hosts} hosts (s): ${rounds.map((r) => `${r.single.toFixed(2)}/${r.multi.toFixed(2)}${r.singleFirst ? '' : '*'}`).join(', ')}  (* ${stages.hosts} hosts ran first)`,
    `  medians: 1 host ${m((r) => r.single).toFixed(2)} s, ${stages.hosts} hosts ${m((r) => r.multi).toFixed(2)} s`,
    `  per step, medians (s), 1 host / slowest of ${stages.hosts}: ${[...rounds[0]!.stepsSingle.keys()].map((step) => `${step} ${m((r) => r.stepsSingle.get(step) ?? 0).toFixed(2)}/${m((r) => r.stepsMulti.get(step) ?? 0).toFixed(2)}`).join(', ')}`,
    `  ssh connections per stage (rsync's included), medians: 1 host ${m((r) => r.sshSingle)}, ${stages.hosts} hosts ${m((r) => r.sshMulti)}`,
    `multihost_ratio=${multihostRatio(rounds).toFixed(3)}`,
  ];
}

/** A stage's step times by step: `<stage> switch web2` counts as `switch`, and of several hosts the slowest counts. */
export function stepsByKind(steps: Map<string, number>, stage: string, hosts: readonly string[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const [name, seconds] of steps) {
    if (!name.startsWith(`${stage} `)) continue;
    const words = name.slice(stage.length + 1).split(' ');
    const kind = (hosts.includes(words.at(-1)!) ? words.slice(0, -1) : words).join(' ');
    kinds.set(kind, Math.max(kinds.get(kind) ?? 0, seconds));
  }
  return kinds;
}
