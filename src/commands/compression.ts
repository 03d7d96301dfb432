import type { Command } from './command.js';

export type CompressionKind = 'zstd' | 'gzip';

/** Compresses stdin to stdout. zstd -T0 uses every core; both levels are the tools' defaults, spelled out. */
export function compress(kind: CompressionKind): Command {
  const command = kind === 'zstd' ? { file: 'zstd', args: ['-q', '-c', '-3', '-T0'] } : { file: 'gzip', args: ['-c', '-6'] };
  return { ...command, writesInOrder: true };
}

/** Decompresses `file` (or stdin, without one) to stdout. */
export function decompress(kind: CompressionKind, file: string | undefined): Command {
  const input = file !== undefined ? ['--', file] : [];
  return kind === 'zstd' ? { file: 'zstd', args: ['-dc', '-q', ...input] } : { file: 'gzip', args: ['-dc', ...input] };
}

export function compressionSuffix(kind: CompressionKind): '.zst' | '.gz' {
  return kind === 'zstd' ? '.zst' : '.gz';
}
