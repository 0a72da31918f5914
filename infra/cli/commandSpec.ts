import type { ParseArgsConfig } from 'node:util';

type ParseArgsOption = NonNullable<ParseArgsConfig['options']>[string];

/** One flag of a command: what node:util parseArgs needs, and what `--help` says of it. */
export type OptionSpec = ParseArgsOption & {
  /** What the flag does, one line. */
  readonly description: string;
  /** The value's placeholder in the help (`<file>`, `N`); none for boolean flags. */
  readonly value?: string;
  /** The default, as the help shows it, when the flag is absent and not a plain false. */
  readonly defaultText?: string;
  /** A value to show, e.g. `0.5` or `ml-100k/u.data`. */
  readonly example?: string;
};

/** A `marquee` command: its synopsis, a summary, its flags and an example or two. */
export interface CommandSpec {
  readonly name: string;
  /** The synopsis line, from `marquee`. */
  readonly usage: string;
  /** What the command does, a sentence or two. */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
}

/** `marquee <command> --help`: the synopsis, the summary, every flag on its own line with its default and an example. */
export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : '';
    const value = option.value ? ` ${option.value}` : '';
    const notes = [
      option.multiple ? 'repeatable' : undefined,
      option.defaultText !== undefined ? `default ${option.defaultText}` : undefined,
      option.example !== undefined ? `e.g. --${name} ${option.example}` : undefined,
    ].filter((note) => note !== undefined);
    return {
      flag: `${short}--${name}${value}`,
      text: notes.length > 0 ? `${option.description} (${notes.join('; ')})` : option.description,
    };
  });
  flags.push({ flag: '-h, --help', text: 'this help' });
  const width = Math.max(...flags.map((f) => f.flag.length));
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.text}`),
    '',
    'examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** True when the arguments ask for help (`--help` or `-h` anywhere before a `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** Flags several commands share, described once. */
export const SHARED_OPTIONS = {
  dataDir: {
    type: 'string',
    value: '<dir>',
    description: "the local service's data folder (its stores, endpoints and key)",
    defaultText: 'MARQUEE_DATA_DIR, else .marquee/',
    example: '/tmp/marquee',
  },
  bucket: {
    type: 'string',
    value: '<name>',
    description: "a deployed service's bucket instead of the local service (AWS credentials and region the usual ways)",
    example: 'marquee-storage-bucket83908e77',
  },
  table: {
    type: 'string',
    value: '<name>',
    description: "the deployed service's history table (with --bucket)",
    example: 'marquee-history',
  },
  json: { type: 'boolean', default: false, description: 'print one JSON object on stdout and nothing else' },
  seed: { type: 'string', value: 'N', description: 'random seed of the training', defaultText: '42', example: '7' },
  objective: {
    type: 'string',
    value: 'full|sampled|auto',
    description: 'training objective: the full softmax, the sampled softmax, or chosen from the estimated cost',
    defaultText: 'auto',
    example: 'sampled',
  },
  context: {
    type: 'string',
    short: 'c',
    multiple: true,
    value: 'key=value',
    description: 'CDK context, as `cdk synth -c` takes it',
    example: 'modelRefreshSeconds=5',
  },
  env: {
    type: 'string',
    multiple: true,
    value: 'NAME=VALUE',
    description: "a variable over every function's environment",
    example: 'RETRAIN_MAX_EPOCHS=20',
  },
} as const satisfies Record<string, OptionSpec>;
