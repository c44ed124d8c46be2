/**
 * Prometheus durations as data, so that windows and `for` periods can be scaled in one place (the
 * `timeScale` render option) instead of being edited inside PromQL strings.
 */

export type DurationUnit = 's' | 'm' | 'h' | 'd';
/** A Prometheus duration with one unit: `30s`, `5m`, `1h`, `3d`. */
export type Duration = `${number}${DurationUnit}`;

const SECONDS: Record<DurationUnit, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function seconds(duration: Duration): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * SECONDS[match[2] as DurationUnit];
}

/** The shortest exact Prometheus spelling of a whole number of seconds (`3600` → `1h`, `90` → `90s`). */
export function formatSeconds(total: number): Duration {
  if (!Number.isInteger(total) || total <= 0) throw new Error(`not a positive whole number of seconds: ${total}`);
  for (const unit of ['d', 'h', 'm'] as const) {
    if (total % SECONDS[unit] === 0) return `${total / SECONDS[unit]}${unit}`;
  }
  return `${total}s`;
}

/** `duration × scale`, rounded to whole seconds and at least one second. */
export function scaleDuration(duration: Duration, scale: number): Duration {
  if (!(scale > 0)) throw new Error(`timeScale must be positive, got ${scale}`);
  return formatSeconds(Math.max(1, Math.round(seconds(duration) * scale)));
}
