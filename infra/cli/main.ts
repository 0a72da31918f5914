import { ModelError } from '../../model/index.ts';
import { CliUsageError } from './cliUsageError.ts';
import { DEMO_USAGE, demoCommand } from './commands/demo.ts';
import { EVALUATE_USAGE, evaluateCommand } from './commands/evaluate.ts';
import { HISTORY_USAGE, historyCommand } from './commands/history.ts';
import { IMPORT_USAGE, importCommand } from './commands/import.ts';
import { INVOKE_USAGE, invokeCommand } from './commands/invoke.ts';
import { KEY_USAGE, keyCommand } from './commands/key.ts';
import { MODEL_USAGE, modelCommand } from './commands/model.ts';
import { RETRAIN_USAGE, retrainCommand } from './commands/retrain.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { TRAIN_USAGE, trainCommand } from './commands/train.ts';

const COMMANDS: Record<string, { usage: string; run: (args: readonly string[]) => Promise<number> }> = {
  serve: { usage: SERVE_USAGE, run: serveCommand },
  invoke: { usage: INVOKE_USAGE, run: invokeCommand },
  key: { usage: KEY_USAGE, run: keyCommand },
  import: { usage: IMPORT_USAGE, run: importCommand },
  demo: { usage: DEMO_USAGE, run: demoCommand },
  train: { usage: TRAIN_USAGE, run: trainCommand },
  evaluate: { usage: EVALUATE_USAGE, run: evaluateCommand },
  history: { usage: HISTORY_USAGE, run: historyCommand },
  retrain: { usage: RETRAIN_USAGE, run: retrainCommand },
  model: { usage: MODEL_USAGE, run: modelCommand },
};

const USAGE = `usage:\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}\n`;

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
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`marquee ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof ModelError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`marquee ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}
