import { z } from 'zod';
import { isAgeRecipient } from '../core/age-recipients.js';
import type { SchemaPrimitives } from './schema-primitives.js';

/**
 * backup.encryption: every dump and the part of its manifest that names tables are encrypted with
 * age before they reach disk. A worker that only dumps needs the recipients (public keys); verify,
 * drill, restore and reencrypt need identityFile, a secret like the others.
 */
export function encryptionSchema({ text, secret }: SchemaPrimitives) {
  return z
    .strictObject({
      recipients: z
        .array(text.pipe(z.string().refine(isAgeRecipient, 'expected an age public key (age1… as age-keygen -y prints it; checked by its checksum)')))
        .min(1)
        .describe('age public keys every new backup is encrypted to; change the list and run `ops backups reencrypt` to re-wrap older ones'),
      identityFile: secret.optional().describe('${ENV_VAR} or file:path holding an age identity (AGE-SECRET-KEY-1…); needed where backups are verified, drilled, restored or re-encrypted'),
    })
    .optional()
    .describe('Encrypt every artifact with age (absent: plaintext)');
}

export type EncryptionSettings = NonNullable<z.output<ReturnType<typeof encryptionSchema>>>;
