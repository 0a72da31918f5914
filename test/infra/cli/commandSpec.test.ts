import { describe, expect, it } from 'vitest';
import { type CommandSpec, commandHelp, wantsHelp } from '../../../infra/cli/commandSpec.ts';

const SPEC = {
  name: 'thing',
  usage: 'marquee thing --size N [--fast] [-c key=value]…',
  summary: 'Does the thing.',
  options: {
    size: { type: 'string', value: 'N', description: 'how big', defaultText: '3', example: '5' },
    fast: { type: 'boolean', default: false, description: 'skip the slow part' },
    context: { type: 'string', short: 'c', multiple: true, value: 'key=value', description: 'a setting', example: 'a=1' },
  },
  examples: ['npx marquee thing --size 5'],
} as const satisfies CommandSpec;

describe('commandHelp', () => {
  const lines = commandHelp(SPEC).split('\n');
  const flagLine = (flag: string) => lines.find((line) => line.trimStart().startsWith(flag));

  it('starts with the synopsis and the summary', () => {
    expect(lines[0]).toBe(`usage: ${SPEC.usage}`);
    expect(lines).toContain('Does the thing.');
  });

  it('gives every flag a line of its own with its value, description, default and example', () => {
    expect(flagLine('--size N')).toMatch(/how big \(default 3; e\.g\. --size 5\)$/);
    expect(flagLine('--fast')).toMatch(/skip the slow part$/);
    expect(flagLine('-c, --context key=value')).toMatch(/a setting \(repeatable; e\.g\. --context a=1\)$/);
    expect(flagLine('-h, --help')).toBeDefined();
  });

  it('aligns the descriptions in one column', () => {
    const columns = ['--size', '--fast', '-c, --context', '-h, --help'].map((flag) => {
      const line = flagLine(flag)!;
      return line.length - line.trimStart().length + line.trimStart().search(/ {2}\S/);
    });
    expect(new Set(columns).size).toBe(1);
  });

  it('ends with the examples', () => {
    expect(lines.slice(lines.indexOf('examples:'))).toContain('  npx marquee thing --size 5');
  });
});

describe('wantsHelp', () => {
  it('finds --help or -h anywhere before --', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['rebuild', '--json', '-h'])).toBe(true);
    expect(wantsHelp(['--json'])).toBe(false);
    expect(wantsHelp(['--', '--help'])).toBe(false);
  });
});
