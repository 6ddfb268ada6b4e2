import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type Command } from '../src/cli/commands/index.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const BIN = path.join(REPO_ROOT, 'dist', 'cli', 'bin.js');

function run(args: string[]) {
  if (!existsSync(BIN)) throw new Error('dist/cli/bin.js is missing: run "npm run build" (npm test does it first)');
  const out = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

async function commands(): Promise<[string, Command][]> {
  return Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => [name, await load()] as [string, Command]));
}

/** The README's CLI block, split by command: the lines from "footprint NAME" up to the next command. */
function readmeCliSections(): Map<string, string> {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = readme.split('\n## CLI\n')[1]!.split('```')[1]!;
  const sections = new Map<string, string>();
  let current = '';
  for (const line of block.split('\n')) {
    const head = /^footprint ([a-z]+)/.exec(line);
    if (head) current = head[1]!;
    if (current) sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
  }
  return sections;
}

describe('footprint help', () => {
  it('prints the command list on stdout for --help, and on stderr with exit 2 when no command is given', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const bare = run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: footprint <command> [options]');
  });

  it('lists every option of every command with what it takes and its short alias', async () => {
    for (const [name, command] of await commands()) {
      const { code, stdout } = run([name, '--help']);
      expect(code, name).toBe(0);
      expect(stdout, name).toContain(`Usage: footprint ${command.usage}`);
      expect(stdout, name).not.toMatch(/Options:\n\n/);
      expect(stdout, name).toMatch(/^  -h, --help +show this help$/m);
      for (const [option, spec] of Object.entries(command.options)) {
        const short = spec.short ? `-${spec.short}, ` : '    ';
        const takes = spec.type === 'string' ? ' [A-Z]+' : '';
        expect(stdout, `${name} --${option}`).toMatch(new RegExp(`^  ${short}--${option}${takes} +\\S`, 'm'));
      }
    }
    expect(run(['scan', '--help']).stdout).toMatch(/^ {6}--format LIST +comma list/m);
    expect(run(['compare', '--help']).stdout).toMatch(/^ {6}--format FORMAT +text\|json\|md/m);
    expect(run(['scan', '-h']).code).toBe(0);
  });

  it('matches the README: every command and option listed there exists, and every option is listed', async () => {
    const sections = readmeCliSections();
    const all = await commands();
    expect([...sections.keys()].sort()).toEqual(all.map(([name]) => name).sort());
    for (const [name, command] of all) {
      const text = sections.get(name)!;
      const written = [...text.matchAll(/(?:^|[\s,[(|])--([a-z][a-z-]*)/g)].map((m) => m[1]!);
      for (const flag of written) expect(Object.keys(command.options), `README lists ${name} --${flag}`).toContain(flag);
      for (const option of Object.keys(command.options)) expect(written, `README misses ${name} --${option}`).toContain(option);
      for (const [, short, long] of text.matchAll(/(?:^|\s)-([a-z]), --([a-z][a-z-]*)/g)) {
        expect(command.options[long!]?.short, `README: ${name} -${short}, --${long}`).toBe(short);
      }
    }
  });
});
