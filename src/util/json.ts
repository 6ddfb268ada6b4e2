/**
 * VALUE as JSON, or undefined when JSON would not give it back exactly (NaN or Infinity, e.g. from YAML .nan and
 * .inf; undefined in arrays; Maps, Dates, class instances; bigints, functions, symbols).
 */
export function exactJson(value: unknown): string | undefined {
  let exact = true;
  const json = JSON.stringify(value, function (this: unknown, _key: string, item: unknown) {
    if (typeof item === 'number' && !Number.isFinite(item)) exact = false;
    else if (item === undefined && Array.isArray(this)) exact = false;
    else if (typeof item === 'bigint' || typeof item === 'function' || typeof item === 'symbol') exact = false;
    else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const proto = Object.getPrototypeOf(item) as unknown;
      if (proto !== Object.prototype && proto !== null) exact = false;
    }
    return item;
  });
  return exact ? json : undefined;
}
