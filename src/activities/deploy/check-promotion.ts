import type { OpsConfig } from '../../config/load-config.js';
import { NotPromoted, promotionRefusal } from '../../core/promotion.js';
import { readReleaseLog } from '../../records/release-log.js';

/**
 * Refuses, before anything changes, a SHA that has not passed each of `stages` (the earlier stages
 * a run skips), from their release logs: one read per stage, and none for a run that deploys every
 * stage in order.
 */
export async function checkPromotion(config: OpsConfig, input: { app: string; sha: string; stages: string[] }): Promise<void> {
  for (const stage of input.stages) {
    const entries = (await readReleaseLog(config, { app: input.app, stage })).filter((e) => e.app === input.app && e.stage === stage);
    const refusal = promotionRefusal(entries, stage, input.sha);
    if (refusal) {
      throw new NotPromoted(`${input.app} ${input.sha.slice(0, 12)} has not passed ${stage}: ${refusal}; deploy it there first, or pass --skip-promotion-check`);
    }
  }
}
