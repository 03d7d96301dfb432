import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Destination } from '../../config/offsite-destination.js';
import { describeDestination } from '../../config/offsite-destination.js';
import { redact } from '../../config/secret.js';
import { describeError, PreconditionFailed, TransientFailure } from '../../core/errors.js';

/**
 * A client for one destination. The keys are revealed here only, into the SDK's credentials
 * object: never into argv, a message or a payload. Without keys the SDK's own chain applies
 * (AWS_ACCESS_KEY_ID, ~/.aws, instance roles).
 */
export function s3ClientFor(destination: S3Destination): S3Client {
  const { endpoint, forcePathStyle, accessKeyId, secretAccessKey } = destination;
  // The SDK warns in eight lines on stderr, once per process, that its releases after January 2027
  // will need Node 22: ops pins the SDK it ships with and supports Node 20, so the warning is noise
  // in every worker log and `backups list --offsite` (an operator's own setting is left alone).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: signingRegion(destination),
    forcePathStyle,
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId: accessKeyId.reveal(), secretAccessKey: secretAccessKey.reveal() } } : {}),
    // The SDK's default CRC32 on every request is refused by several S3-compatible stores (B2, older
    // MinIO and Garage): checksums are sent where ops asks for them (SHA-256 on uploads) or an API requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** `s3://bucket/prefix at https://endpoint`: what every message about the destination names. */
export function s3Where(destination: S3Destination): string {
  return `${describeDestination(destination)} at ${destination.endpoint ?? `AWS S3 (${signingRegion(destination)})`}`;
}

function signingRegion(destination: S3Destination): string {
  return destination.region ?? process.env.AWS_REGION ?? 'us-east-1';
}

const WRONG_REGION = new Set(['AuthorizationHeaderMalformed', 'PermanentRedirect', 'IllegalLocationConstraintException']);
const DENIED = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'Forbidden']);

/**
 * The SDK's error as one of ops' named errors. Wrong keys and a missing bucket are the config's
 * fault: retrying cannot help. Anything else (refused, reset, a 5xx, a timeout) is the world's.
 */
export function s3Failure(destination: S3Destination, doing: string, err: unknown): Error {
  const where = s3Where(destination);
  const name = err instanceof Error ? err.name : '';
  const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
  // No keys in the config and none in the worker's AWS chain: nothing was sent, so nothing was refused.
  if (name === 'CredentialsProviderError') {
    return new PreconditionFailed(`${where}: ${doing} could not be signed: no S3 credentials: give accessKeyId and secretAccessKey on the destination, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or another source of the AWS credential chain) to this worker`);
  }
  if (DENIED.has(name) || status === 401 || status === 403) {
    return new PreconditionFailed(`${where}: ${doing} was refused (${name || `HTTP ${status}`}): check accessKeyId and secretAccessKey and the key's permissions on bucket ${destination.bucket}`);
  }
  if (name === 'NoSuchBucket') return new PreconditionFailed(`${where}: bucket ${destination.bucket} does not exist`);
  // The SDK's message is the server's or the network's text: the keys are no part of it, but a message is never trusted with them.
  const cause = redact(describeError(err).split('\n')[0] ?? '', [destination.accessKeyId, destination.secretAccessKey]);
  // Signed for a region the bucket is not in: the same request fails the same way on every retry.
  if (WRONG_REGION.has(name) || status === 301) {
    return new PreconditionFailed(`${where}: ${doing} was refused (${name || `HTTP ${status}`}): ${cause}: check region (signing for ${signingRegion(destination)})`);
  }
  return new TransientFailure(`${where}: ${doing} failed: ${cause}`);
}
