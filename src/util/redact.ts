/**
 * The only form in which a secret value may leave the scanner: at most its first two characters and its
 * length. Values shorter than 8 characters show no characters at all, since two of them would be a large share.
 */
export function redact(value: string): string {
  const length = [...value].length;
  if (length === 0) return '(empty)';
  const shown = length >= 8 ? [...value].slice(0, 2).join('') : '';
  return `${shown}…(${length} chars)`;
}
