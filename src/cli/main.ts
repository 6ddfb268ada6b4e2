import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, UsageError } from '../util/errors.js';
import { TOOL_VERSION } from '../util/package.js';
import { safeMessage } from '../util/errors.js';
import { COMMANDS, type Command } from './commands/index.js';

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

function commandHelp(command: Command): string {
  const options = Object.entries(command.options)
    .map(([name, spec]) => `  --${name}${spec.type === 'string' ? ' VALUE' : ''}`.padEnd(28) + (command.optionHelp[name] ?? ''))
    .join('\n');
  return `Usage: footprint ${command.usage}\n\n${command.summary}\n\nOptions:\n${options}\n  --help                    show this help\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await help());
    return name ? EXIT.clean : EXIT.error;
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
      options: { ...command.options, help: { type: 'boolean' } } as ParseArgsConfig['options'],
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

