/**
 * Deterministic pseudo-random text (xorshift32) for tests that assemble token-shaped values at runtime, so no such
 * literal sits in the repository and every run draws the same values.
 */
export function seededText(seed: number): (alphabet: string, length: number) => string {
  let state = seed;
  return (alphabet, length) => {
    let out = '';
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out += alphabet[(state >>> 0) % alphabet.length];
    }
    return out;
  };
}
