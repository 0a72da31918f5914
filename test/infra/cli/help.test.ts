import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../infra/cli/main.ts';
import { marquee } from './marqueeProcess.ts';

describe('marquee --help', () => {
  it('lists every command, exit code 0, nothing on stderr', async () => {
    const result = await marquee({}, '--help');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const name of Object.keys(COMMANDS)) expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it.each(Object.keys(COMMANDS))('marquee %s --help describes every flag on its own line, exit code 0', async (name) => {
    const result = await marquee({}, name, '--help');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`usage: ${COMMANDS[name].spec.usage}`);
    for (const [flag, option] of Object.entries(COMMANDS[name].spec.options)) {
      const line = lines.find((text) => new RegExp(`^  (-\\w, )?--${flag}\\b`).test(text));
      expect(line, `--${flag}`).toBeDefined();
      expect(line).toContain(option.description);
      // A flag that takes a value shows an example of it.
      if (option.type === 'string') expect(line, `--${flag}`).toMatch(new RegExp(`e\\.g\\. --${flag} \\S`));
    }
    expect(lines.indexOf('examples:')).toBeGreaterThan(0);
  });

  it('still refuses an unknown flag with exit code 2 and points at --help', async () => {
    const result = await marquee({}, 'evaluate', '--bogus');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain('marquee evaluate --help');
  });
});
