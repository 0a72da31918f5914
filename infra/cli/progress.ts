import type { EpochLog, RatingEpochLog } from '../../model/index.ts';

/**
 * Epoch lines on stderr when it is a terminal and JSON output was not asked for; silent otherwise,
 * so `--json` output and pipes stay clean.
 */
export class Progress {
  readonly enabled: boolean;

  constructor(json: boolean, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = !json && stream.isTTY === true;
    this.stream = stream;
  }

  private readonly stream: NodeJS.WriteStream;

  message(text: string): void {
    if (this.enabled) this.stream.write(`${text}\n`);
  }

  rankingEpoch = (log: EpochLog): void => {
    const validation = log.validationNdcgAt10 === undefined ? '' : `  val nDCG@10 ${log.validationNdcgAt10.toFixed(4)}`;
    this.message(
      `ranking ${log.phase} epoch ${String(log.epoch).padStart(3)}  loss ${log.loss.toFixed(3)}${validation}  ${log.seconds.toFixed(2)} s`,
    );
  };

  ratingEpoch = (log: RatingEpochLog): void => {
    const validation = log.validationRmse === undefined ? '' : `  val RMSE ${log.validationRmse.toFixed(4)}`;
    this.message(`rating epoch ${String(log.epoch).padStart(3)}  mse ${log.loss.toFixed(4)}${validation}`);
  };
}
