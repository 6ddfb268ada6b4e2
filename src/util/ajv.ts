import { createRequire } from 'node:module';
import type { Ajv as AjvClass, Options } from 'ajv';

const require = createRequire(import.meta.url);

/**
 * Ajv loaded on first use: importing it costs ~60 ms, which a re-scan of an unchanged tree without a config file
 * (the cached path) never needs.
 */
export function createAjv(options: Options, withFormats = false): AjvClass {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv(options);
  if (withFormats) {
    const formats = require('ajv-formats') as { default?: (a: AjvClass) => AjvClass } & ((a: AjvClass) => AjvClass);
    (formats.default ?? formats)(ajv);
  }
  return ajv;
}
