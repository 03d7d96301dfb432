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
    `  ssh connections per stage (rsync's included), medians: 1 host ${m((r) => r.sshSingle)}, ${stages.hosts} hosts ${m((r) => r.sshMulti)}`,
    `multihost_ratio=${multihostRatio(rounds).toFixed(3)}`,
  ];
}
