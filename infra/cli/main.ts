import { ModelError } from '../../model/index.ts';
import { CliUsageError } from './cliUsageError.ts';
import { type CommandSpec, commandHelp, wantsHelp } from './commandSpec.ts';
import { DEMO_COMMAND, demoCommand } from './commands/demo.ts';
import { EVALUATE_COMMAND, evaluateCommand } from './commands/evaluate.ts';
import { HISTORY_COMMAND, historyCommand } from './commands/history.ts';
import { IMPORT_COMMAND, importCommand } from './commands/import.ts';
import { INVOKE_COMMAND, invokeCommand } from './commands/invoke.ts';
import { KEY_COMMAND, keyCommand } from './commands/key.ts';
import { MODEL_COMMAND, modelCommand } from './commands/model.ts';
import { RETRAIN_COMMAND, retrainCommand } from './commands/retrain.ts';
import { SERVE_COMMAND, serveCommand } from './commands/serve.ts';
import { TRAIN_COMMAND, trainCommand } from './commands/train.ts';

/** Every command, by name: its spec (synopsis, flags, help) and what runs it. */
export const COMMANDS: Record<string, { spec: CommandSpec; run: (args: readonly string[]) => Promise<number> }> = {
  serve: { spec: SERVE_COMMAND, run: serveCommand },
  invoke: { spec: INVOKE_COMMAND, run: invokeCommand },
  key: { spec: KEY_COMMAND, run: keyCommand },
  import: { spec: IMPORT_COMMAND, run: importCommand },
  demo: { spec: DEMO_COMMAND, run: demoCommand },
  train: { spec: TRAIN_COMMAND, run: trainCommand },
  evaluate: { spec: EVALUATE_COMMAND, run: evaluateCommand },
  history: { spec: HISTORY_COMMAND, run: historyCommand },
  retrain: { spec: RETRAIN_COMMAND, run: retrainCommand },
  model: { spec: MODEL_COMMAND, run: modelCommand },
};

const USAGE = [
  'usage: marquee <command> [options]     (marquee <command> --help: every flag, its default and an example)',
  '',
  ...Object.values(COMMANDS).map((c) => `  ${c.spec.name.padEnd(9)} ${c.spec.summary.split('. ')[0].replace(/\.$/, '')}`),
  '',
].join('\n');

/** The `marquee` command line; returns the exit code (0 ok, 1 failure, 2 usage or input error). */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`marquee: unknown command ${name}\n${USAGE}`);
    return 2;
  }
  if (wantsHelp(args)) {
    process.stdout.write(commandHelp(command.spec));
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`marquee ${name}: ${error.message}\nusage: ${command.spec.usage}\n(marquee ${name} --help: every flag)\n`);
      return 2;
    }
    if (error instanceof ModelError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`marquee ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}
