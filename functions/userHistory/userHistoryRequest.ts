import { countUpToParam, queryParser } from '../commons/servingRequest.ts';

/** HISTORY_LENGTH's default (functions/commons/config.ts): what the API description states. */
export const DEFAULT_HISTORY_LENGTH = 200;

/** `?count=1..maxLength (maxLength)`: the newest entries, up to the history the store keeps. */
export function historyQueryParser(maxLength: number) {
  return queryParser({ count: countUpToParam(maxLength) });
}

/** The parser of a deployment with the default history length. */
export const parseHistoryQuery = historyQueryParser(DEFAULT_HISTORY_LENGTH);
