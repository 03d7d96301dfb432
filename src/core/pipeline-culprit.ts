/**
 * The stage of a pipeline whose failure to report, or undefined when none failed: the first that
 * failed, in pipeline order. With stages joined pipe to pipe, a stage that stops reading kills the
 * one feeding it with SIGPIPE on its next write: that death is a consequence, named only when no
 * other stage failed. (A writer whose reader went away with bytes still unread fails with
 * "Connection reset by peer" instead, which only its own stderr tells apart: it is named.)
 */
export function culpritStage(results: Array<{ failed: boolean; signal?: string | undefined }>): number | undefined {
  const failed = results.flatMap((result, stage) => (result.failed ? [stage] : []));
  return failed.find((stage) => results[stage]!.signal !== 'SIGPIPE') ?? failed[0];
}
