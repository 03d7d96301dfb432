import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compositeSha256 } from '../../core/s3-composite-checksum.js';

/** What the bytes that went up hash to: the whole, and S3's composite over parts of `partSize`. */
export interface UploadDigests {
  sha256: string;
  composite: string;
}

/**
 * Passes the upload's bytes through unchanged while hashing them whole and per part, cut where
 * lib-storage cuts its parts (every `partSize` bytes; it checks that each is exactly that). In the
 * upload's own pass, so confirming a multipart object by its composite costs no extra read.
 */
export class PartDigests extends Transform {
  readonly #whole = createHash('sha256');
  readonly #parts: Buffer[] = [];
  #part: Hash = createHash('sha256');
  #inPart = 0;

  constructor(private readonly partSize: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#whole.update(chunk);
    for (let offset = 0; offset < chunk.length; ) {
      const take = Math.min(chunk.length - offset, this.partSize - this.#inPart);
      this.#part.update(chunk.subarray(offset, offset + take));
      this.#inPart += take;
      offset += take;
      if (this.#inPart === this.partSize) {
        this.#parts.push(this.#part.digest());
        this.#part = createHash('sha256');
        this.#inPart = 0;
      }
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#inPart > 0 || this.#parts.length === 0) this.#parts.push(this.#part.digest());
    done();
  }

  /** Once the stream has ended. */
  digests(): UploadDigests {
    return { sha256: this.#whole.digest('hex'), composite: compositeSha256(this.#parts) };
  }
}

/** The same digests of a file already uploaded (a retried copy that finds the object there): a local read, not a download. */
export async function digestsOfFile(file: string, partSize: number): Promise<UploadDigests> {
  const digests = new PartDigests(partSize);
  await pipeline(createReadStream(file), digests, async (source: AsyncIterable<Buffer>) => {
    for await (const _chunk of source);
  });
  return digests.digests();
}
