/** Line numbers (1-based) of offsets in TEXT, for offsets asked in increasing order: linear over the whole text. */
export function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (let i = text.indexOf('\n', at); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      at = i + 1;
    }
    return line;
  };
}
