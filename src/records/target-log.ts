import { join } from 'node:path';
import { appendLine } from './append-line.js';
import { listNames, readTextIfExists } from './if-exists.js';

const SUFFIX = '.jsonl';

export interface TargetLogFormat<T extends { target: string }> {
  /** the dot directory under the repository: not a target, so a target's directory keeps holding backups only */
  dir: string;
  format(entry: T): string;
  parse(text: string): T[];
  /** whether `entry`'s run has a line in `written` already: a retried activity writes nothing twice */
  alreadyWritten(entry: T, written: T[]): boolean;
}

/** One JSON Lines file per target, <repository>/<dir>/<target>.jsonl, appended and never pruned by retention. */
export class TargetLog<T extends { target: string }> {
  constructor(
    private readonly repository: string,
    private readonly shape: TargetLogFormat<T>,
  ) {}

  fileOf(target: string): string {
    return join(this.repository, this.shape.dir, `${target}${SUFFIX}`);
  }

  async append(entry: T): Promise<void> {
    await appendLine(this.fileOf(entry.target), this.shape.format(entry), (text) => this.shape.alreadyWritten(entry, this.shape.parse(text)));
  }

  /** Every entry of the given targets (all on disk when none given), each file in write order. */
  async list(targets?: string[]): Promise<T[]> {
    const names = targets ?? (await listNames(join(this.repository, this.shape.dir))).filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length));
    const texts = await Promise.all(names.map(async (target) => (await readTextIfExists(this.fileOf(target))) ?? ''));
    return texts.flatMap((text, i) => this.shape.parse(text).filter((e) => e.target === names[i]));
  }
}
