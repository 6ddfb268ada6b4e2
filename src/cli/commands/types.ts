export type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean };
export type Values = Record<string, string | boolean | undefined>;

export interface Command {
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  optionHelp: Record<string, string>;
  run(values: Values, positionals: string[]): Promise<number>;
}
