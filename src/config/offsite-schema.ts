import { z } from 'zod';
import { describeDestination, parseOffsiteUrl, parseS3Url, type OffsiteDestination, type S3Destination } from './offsite-destination.js';
import type { SchemaContext, SchemaPrimitives } from './schema-primitives.js';

/**
 * backup.offsite: one destination or a list, each a path, ssh://user@host:port/path, s3://bucket/prefix,
 * or an object naming an S3 bucket with its endpoint and credentials. Always a list once parsed.
 */
export function offsiteSchema(ctx: SchemaContext, { text, secret, parsedFrom }: SchemaPrimitives) {
  const url = parsedFrom(text, (value) => parseOffsiteUrl(value, ctx.baseDir));
  const s3 = z
    .strictObject({
      url: parsedFrom(text, parseS3Url).describe('s3://bucket/prefix: copies go under <prefix>/<target>/<stamp>/'),
      endpoint: parsedFrom(text, endpointUrl).optional().describe('The provider\'s S3 endpoint, e.g. https://<account>.r2.cloudflarestorage.com; absent for AWS S3'),
      region: text.optional().describe('Signing region; default AWS_REGION, else us-east-1 (R2 wants auto)'),
      forcePathStyle: z.boolean().default(false).describe('Address the bucket as endpoint/bucket instead of bucket.endpoint (MinIO, SeaweedFS, Garage, versitygw)'),
      storageChecksums: z
        .boolean()
        .default(true)
        .describe('Send SHA-256 checksums with uploads and ask the store for them; false where the store refuses x-amz-checksum-* headers (Backblaze B2): copies are then confirmed by reading them back'),
      accessKeyId: secret.optional().describe('${ENV_VAR} or file:path; absent: the standard AWS credential chain'),
      secretAccessKey: secret.optional().describe('${ENV_VAR} or file:path; given together with accessKeyId'),
    })
    .refine((d) => (d.accessKeyId === undefined) === (d.secretAccessKey === undefined), 'give both accessKeyId and secretAccessKey, or neither for the AWS credential chain')
    .transform(({ url: { bucket, prefix }, ...rest }): S3Destination => ({ kind: 's3', bucket, prefix, ...rest }));
  const destination = byShape<OffsiteDestination>({ string: url, object: s3 });
  return byShape<OffsiteDestination[]>({ string: destination.transform((d) => [d]), object: destination.transform((d) => [d]), array: z.array(destination) })
    .superRefine((list, issue) => {
      const names = list.map(describeDestination);
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i) issue.addIssue({ code: 'custom', path: [i], message: `${name} is listed twice` });
      });
    })
    .optional()
    .transform((list) => list ?? [])
    .describe('Offsite copies: a destination or a list (path, ssh://user@host:port/path, s3://bucket/prefix, or { url: s3://..., endpoint, region, forcePathStyle, accessKeyId, secretAccessKey }); each gets its own copy');
}

/**
 * Picks the schema by the value's shape. A zod union would report every option's complaint
 * ("expected object, received string") instead of the one that matters for what was written.
 */
function byShape<T>(schemas: { string: z.ZodType<T>; object: z.ZodType<T>; array?: z.ZodType<T> }) {
  return z.unknown().transform((value, ctx): T => {
    const schema = typeof value === 'string' ? schemas.string : Array.isArray(value) ? schemas.array : typeof value === 'object' && value !== null ? schemas.object : undefined;
    if (!schema) {
      ctx.addIssue({ code: 'custom', message: `expected ${schemas.array ? 'a destination or a list of them' : 'a path, ssh://, s3:// or an s3 object'}` });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const inner of result.error.issues) {
      const message = inner.code === 'unrecognized_keys' ? `unknown key${inner.keys.length > 1 ? 's' : ''} ${inner.keys.map((k) => `"${k}"`).join(', ')}` : inner.message;
      ctx.addIssue({ code: 'custom', message, path: inner.path });
    }
    return z.NEVER;
  });
}

/**
 * An endpoint must be a whole http(s) URL: the S3 client takes `127.0.0.1:9000` without a scheme
 * and fails only when the night's copy runs, with "Invalid URL".
 */
function endpointUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new Error(`expected an http:// or https:// URL, e.g. https://s3.example.com or http://127.0.0.1:9000, got "${value}"`);
  }
  return value;
}
