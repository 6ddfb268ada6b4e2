import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, UsageError } from '../util/errors.js';
import { TOOL_VERSION } from '../util/package.js';
import { safeMessage } from '../util/errors.js';
import { COMMANDS, type Command } from './commands/index.js';
import type { OptionSpec } from './commands/types.js';

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

async function help(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return `footprint ${TOOL_VERSION}: audit a platform repo for legacy secret footprints

Usage: footprint <command> [options]

Commands:
${commands.map((c) => `  ${c.usage.padEnd(34)} ${c.summary}`).join('\n')}

Run "footprint <command> --help" for a command's options.

Exit codes:
  0  no finding at or above the --fail-on threshold
  1  findings at or above the threshold (or, for compare, a new one)
  2  usage, configuration or tool error
`;
}

/** What a string option takes, for the help text (by option name; VALUE when the name does not tell). */
const METAVAR: Record<string, string> = {
  config: 'FILE',
  format: 'LIST',
  'out-dir': 'DIR',
  output: 'FILE',
  'fail-on': 'SEVERITY',
  'md-max-chars': 'N',
  threads: 'N',
  'chunk-files': 'N',
  baseline: 'FILE',
  history: 'FILE',
  to: 'FILE',
  snapshot: 'FILE',
  'compare --format': 'FORMAT',
};

export function commandHelp(command: Command): string {
  const lines = [...Object.entries(command.options), ['help', { type: 'boolean', short: 'h' } as OptionSpec] as const].map(([name, spec]) => {
    const metavar = METAVAR[`${command.usage.split(' ')[0]} --${name}`] ?? METAVAR[name] ?? 'VALUE';
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${metavar}` : ''}`;
    const text = name === 'help' ? 'show this help' : (command.optionHelp[name] ?? '');
    return `  ${flag.padEnd(26)} ${text}`.trimEnd();
  });
  return `Usage: footprint ${command.usage}\n\n${command.summary}\n\nOptions:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    // No command is a usage error: the help goes to stderr, stdout stays empty.
    process.stderr.write(await help());
    return EXIT.error;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await help());
    return EXIT.clean;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.clean;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`footprint: unknown command "${name}"\n\n${await help()}`);
    return EXIT.error;
  }
  const command = await load();
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } } as ParseArgsConfig['options'],
      allowPositionals: true,
      strict: true,
    });
    if ((parsed.values as Record<string, unknown>).help) {
      process.stdout.write(commandHelp(command));
      return EXIT.clean;
    }
    return await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`footprint ${name}: ${error.message}\n`);
      for (const detail of error.details) process.stderr.write(`  - ${detail}\n`);
      if (!(error instanceof ConfigError) && error.details.length === 0) process.stderr.write(`Run "footprint ${name} --help" for usage.\n`);
      return EXIT.error;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`footprint ${name}: ${(error as Error).message}\nRun "footprint ${name} --help" for usage.\n`);
      return EXIT.error;
    }
    process.stderr.write(`footprint ${name}: internal error: ${safeMessage(error)}\n`);
    if (process.env.FOOTPRINT_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return EXIT.error;
  }
}

