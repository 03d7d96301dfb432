import { formatDuration } from './format.js';

/** The step column is this wide, so steps of the run and of its children (`target › step`) line up. */
const STEP_COLUMN = 30;

export interface WaitLine {
  /** Seconds since the run started, when this happened. */
  elapsedSeconds: number;
  /** '' for the run's own steps, `child › ` for a related run's. */
  label: string;
  step: string;
  status: string;
  /** How long the step took, once it ended. */
  durationSeconds?: number;
  detail?: string;
}

/** `  00:12  pg-db › dump                 done (4.1s)`: what `--wait` prints for each step change. */
export function formatWaitLine(line: WaitLine): string {
  const duration = line.durationSeconds === undefined ? '' : ` (${formatDuration(line.durationSeconds)})`;
  const detail = line.detail ? `: ${line.detail}` : '';
  return `  ${formatElapsed(line.elapsedSeconds)}  ${`${line.label}${line.step}`.padEnd(STEP_COLUMN)} ${line.status}${duration}${detail}`;
}

/** 00:07, 12:34, then 1:02:03 past the hour; a clock a little behind the run's start reads 00:00. */
export function formatElapsed(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
