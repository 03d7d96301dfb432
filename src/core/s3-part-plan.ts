const MIB = 1024 * 1024;
// S3 allows 10 000 parts; a margin, as the bytes going up may exceed the estimate (encryption adds some).
const MAX_PARTS = 9_000;

/**
 * Memory stays bounded whatever the artifact's size: lib-storage buffers at most queueSize ×
 * partSize while it streams, 4 × 8 MiB up to 70 GiB. Beyond, parts grow to stay within S3's part
 * limit, two in flight, so a 1 TiB dump buffers about 235 MiB.
 */
export function partPlan(bytes: number): { partSize: number; queueSize: number } {
  const partSize = Math.max(8 * MIB, Math.ceil(bytes / MAX_PARTS / MIB) * MIB);
  return { partSize, queueSize: partSize > 8 * MIB ? 2 : 4 };
}
