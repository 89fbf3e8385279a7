// Every command's --help, read as a user would: no contradictions between a flag and what it says.
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/program.js';
import { tx2pack } from './helpers.js';

const commands = createProgram(() => {
  throw new Error('no command runs here');
}).commands.map((command) => command.name);

/** The option lines of a help text: `  --flag  description (default: x)`. */
const optionLines = (help: string): string[] => help.split('\n').filter((line) => /^\s+(-\w, )?--/.test(line));

describe('--help', () => {
  it('lists every command', () => {
    expect(commands).toEqual(expect.arrayContaining(['demo', 'inspect', 'verify', 'convert', 'export', 'import', 'diff', 'ls', 'show', 'rm', 'prune', 'bench', 'keygen']));
  });

  for (const command of ['', ...commands]) {
    it(`${command || 'tx2pack'} --help has no contradictions`, async () => {
      const { stdout, code } = await tx2pack([...(command === '' ? [] : [command]), '--help']);
      expect(code).toBe(0);
      const lines = optionLines(stdout);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        // A negated flag said to default to true reads as if it were on.
        if (/--no-/.test(line)) expect(line, line).not.toMatch(/\(default: /);
        // A default stated twice, differently ("(default: x) (default: y)").
        expect(line.match(/default/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
        // A flag with a description.
        expect(line.trim().split(/\s{2,}/).length, line).toBeGreaterThanOrEqual(2);
      }
      // Key options say which file they are for: the one read, or (import) the one written.
      const keyFile = lines.find((line) => line.includes('--key-file'));
      if (keyFile !== undefined) expect(keyFile).toMatch(command === 'import' ? /encrypt the output/ : /encrypted input/);
    });
  }

  it('shows required arguments as required', async () => {
    const { stdout } = await tx2pack(['rm', '--help']);
    expect(stdout).toContain('rm <store-dir> <...ids>');
    expect(stdout).not.toMatch(/\[\.\.\.ids\]/);
  });
});
