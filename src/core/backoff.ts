/**
 * Capped exponential backoff with full jitter: after `attempt` failures in a row, a random wait in
 * [0, min(cap, base × 2^attempt)), in the unit of `base` and `cap`. The sync loop and the
 * e-invoicing submitter wait this way between failures, so many tills do not retry in step.
 */
export function jitteredBackoff(attempt: number, base: number, cap: number, random: () => number): number {
  return random() * Math.min(cap, base * 2 ** Math.min(Math.max(attempt, 0), 30));
}
