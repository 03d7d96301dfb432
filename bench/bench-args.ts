/** A count from a bench's flag or environment; anything else ends the bench with exit 2, naming the flag. */
export function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name}: expected a positive integer, got "${text}"`);
    process.exit(2);
  }
  return value;
}
