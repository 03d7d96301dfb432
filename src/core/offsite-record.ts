import type { OffsiteCopy, OffsiteRecord } from './backup-record.js';

/**
 * offsite.json after one destination's copy (or failure) is known: that destination's record
 * replaced, the others kept, and the summary recomputed over the destinations configured now.
 */
export function withOffsiteCopy(previous: OffsiteRecord | undefined, destination: string, copy: OffsiteCopy, configured: string[]): OffsiteRecord {
  const copies = { ...previous?.copies, [destination]: copy };
  const names = configured.includes(destination) ? configured : [...configured, destination];
  const missing = names.filter((name) => copies[name]?.status !== 'copied');
  const reasons = missing.map((name) => `${name}: ${copies[name]?.reason ?? 'not copied yet'}`);
  const confirmed = names.map((name) => copies[name]?.sha256Confirmed).find((sha) => sha !== undefined);
  return {
    status: missing.length === 0 ? 'copied' : 'failed',
    at: copy.at,
    destination: names.join(', '),
    ...(confirmed !== undefined ? { sha256Confirmed: confirmed } : {}),
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    copies,
  };
}

/** The destinations that hold a confirmed copy, in the order given; a record from before `copies` names its one destination. */
export function destinationsWithCopy(record: OffsiteRecord | undefined, order: string[]): string[] {
  if (!record) return [];
  if (!record.copies) return record.status === 'copied' ? [record.destination] : [];
  const copied = Object.entries(record.copies).filter(([, c]) => c.status === 'copied').map(([name]) => name);
  return [...order.filter((name) => copied.includes(name)), ...copied.filter((name) => !order.includes(name))];
}
