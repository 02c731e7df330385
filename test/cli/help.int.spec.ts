import { BUILT_IN_COMMAND_NAMES, COMMAND_NAMES } from '../../src/cli/command-names';
import { runCli } from '../helpers/run-cli';

// Each CLI start takes a few hundred milliseconds, more on a busy machine.
jest.setTimeout(20_000);

describe('pageflow --help', () => {
  it('lists the commands, examples and exit codes', async () => {
    const result = await runCli(['--help']);

    expect(result.exitCode).toBe(0);
    for (const command of ['run <file>', 'validate <files..>', 'list [dir]', 'test [files..]', 'eval <expression>', 'schema', 'demo', 'completion']) {
      expect(result.stdout).toContain(`pageflow ${command}`);
    }
    expect(result.stdout).toContain('--env-file');
    expect(result.stdout).toMatch(/Examples:\n {2}pageflow demo /);
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 +done\n {2}1 +the run failed.*\n {2}2 +invalid .*\n {2}130 +interrupted by SIGINT .*143 by SIGTERM/);
  });

  it('lists exactly the commands the launcher keeps compile caches for', async () => {
    const result = await runCli(['--help']);

    const commands = result.stdout.slice(result.stdout.indexOf('Commands:\n')).split('\n\n')[0]!;
    const listed = [...commands.matchAll(/^ {2}pageflow ([a-z-]+)/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...COMMAND_NAMES, ...BUILT_IN_COMMAND_NAMES].sort());
  });

  it('shows examples in the help of every command', async () => {
    const commands = ['run', 'validate', 'list', 'test', 'eval', 'schema', 'demo'];

    const results = await Promise.all(commands.map((command) => runCli([command, '--help'])));

    results.forEach((result, index) => {
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Examples:\\n {2}pageflow ${commands[index]}`));
    });
    expect(results[0].stdout).toContain('--dry-run');
    expect(results[0].stdout).toContain('--summary-json');
  });
});

describe('usage errors', () => {
  it('exit 2 with a one-line reason on stderr: unknown command, missing argument, conflicting options', async () => {
    const cases = [
      { args: ['export'], message: 'Unknown argument: export' },
      { args: ['runn', 'p.yaml'], message: 'unknown command "runn": did you mean run\\?' },
      { args: ['tset'], message: 'unknown command "tset": did you mean test\\?' },
      { args: ['run'], message: 'Not enough non-option arguments' },
      { args: ['list', '-v', '-q'], message: 'mutually exclusive' },
    ];

    const results = await Promise.all(cases.map(({ args }) => runCli(args)));

    results.forEach((result, index) => {
      expect(result.exitCode).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`^error: .*${cases[index].message}`));
      expect(result.stdout).toBe('');
    });
  });
});

describe('pageflow completion', () => {
  it('prints a shell completion script that completes commands', async () => {
    const [script, completions] = await Promise.all([runCli(['completion']), runCli(['--get-yargs-completions', 'pageflow', 'li'])]);

    expect(script.exitCode).toBe(0);
    expect(script.stdout).toContain('_pageflow_yargs_completions');
    expect(completions.stdout.split('\n')).toContain('list');
  });
});
