import { z } from 'zod';
import { parseDatabaseUrl } from './database-url.js';
import { pendingDemoSecret } from './demo-secrets.js';
import { expandEnv, resolveSecret, type Env, type SecretMode } from './interpolate.js';
import { parseLocation, parseSshAddress } from './location.js';

/** Names of targets, apps, stages and hosts: they appear in ids, file names and metric labels. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

export interface SchemaContext {
  env: Env;
  /** The config file's directory: relative paths and file: secrets resolve against it. */
  baseDir: string;
  /** Default `require`. */
  secrets?: SecretMode;
  /** With demo servers on: the directory of the secret files `ops up` creates (missing ones are pending). */
  demoDir?: string;
}

/** The value types config keys are built from: env-expanded text, secrets, locations, URLs, names. */
export function schemaPrimitives(ctx: SchemaContext) {
  /** A string turned into T by `parse`; whatever `parse` throws becomes the issue at that path. */
  const parsedFrom = <T>(source: z.ZodType<string>, parse: (value: string) => T) =>
    source.transform((value, issue) => {
      try {
        return parse(value);
      } catch (err) {
        issue.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });
  const text = parsedFrom(z.string(), (value) => expandEnv(value, ctx.env));
  return {
    text,
    secret: parsedFrom(z.string(), (value) => pendingDemoSecret(value, ctx.baseDir, ctx.demoDir) ?? resolveSecret(value, ctx.env, ctx.baseDir, ctx.secrets)),
    location: parsedFrom(text, (value) => parseLocation(value, ctx.baseDir)),
    sshAddress: parsedFrom(text, parseSshAddress),
    databaseUrl: (requireDatabase: boolean) => parsedFrom(text, (value) => parseDatabaseUrl(value, { requireDatabase })),
    parsedFrom,
    name: z.string().regex(NAME_PATTERN, 'expected lower-case letters, digits, - or _, starting with a letter (max 40)'),
  };
}

export type SchemaPrimitives = ReturnType<typeof schemaPrimitives>;
