/**
 * A notification body with its lines joined and runs of whitespace made one
 * space: what a sentence says, wherever the 72-column wrap broke it.
 */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}
