/**
 * The rule of forgetting a viewer (DESIGN.md "tombstones"): an event is gone for good when its
 * timestamp is at or before the moment the viewer was forgotten, or when it was accepted at or
 * before that moment (a clock running ahead must not carry an event past the request). Later
 * events are a new relationship that serving and training both use. Times are compared in whole
 * milliseconds, as history keys (historyKey.ts) order them.
 */
export function isForgotten(forgottenAtMs: number | undefined, timestampSeconds: number, acceptedAtMs?: number): boolean {
  if (forgottenAtMs === undefined) return false;
  return Math.floor(timestampSeconds * 1000) <= forgottenAtMs || (acceptedAtMs !== undefined && acceptedAtMs <= forgottenAtMs);
}
