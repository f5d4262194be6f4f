/** Progress of long work on stderr: a bar with rate and ETA on a TTY, a plain line every few seconds otherwise. */
import type { ImportProgress } from '../app/import.js';
import { t } from '../i18n/index.js';
import type { Io } from './runtime.js';

const LINE_EVERY_MS = 3000;
const BAR_EVERY_MS = 100;

export function importProgress(io: Io, now: () => number = Date.now): { update: (p: ImportProgress) => void; done: () => void } {
  let start = now();
  let last = start;
  let phase: ImportProgress['phase'] = 'validate';
  let drawn = false;
  const tty = Boolean(io.stderr.isTTY);
  const update = (p: ImportProgress): void => {
    const at = now();
    if (p.phase !== phase) {
      // rates and ETA are per phase: writing starts its own clock
      phase = p.phase;
      start = at;
      return;
    }
    if (at - last < (tty ? BAR_EVERY_MS : LINE_EVERY_MS)) return;
    last = at;
    const secs = Math.max((at - start) / 1000, 0.001);
    const rate = Math.round(p.phase === 'validate' ? p.rows / secs : p.done / secs);
    const fraction = p.total ? Math.min(p.done / p.total, 1) : null;
    const eta = fraction && fraction > 0 ? Math.round(((at - start) / fraction - (at - start)) / 1000) : null;
    const label = t(p.phase === 'validate' ? 'progress.validate' : 'progress.write');
    const counts = t('progress.rows', { rows: p.phase === 'validate' ? p.rows : p.done, rate });
    const etaText = eta !== null ? ` ${t('progress.eta', { secs: eta })}` : '';
    if (tty) {
      const width = 24;
      const filled = fraction === null ? 0 : Math.round(fraction * width);
      const bar = fraction === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}% `;
      io.stderr.write(`\r\x1b[2K${label} ${bar}${counts}${etaText}`);
      drawn = true;
    } else {
      io.stderr.write(`${label}: ${counts}${fraction !== null ? ` (${Math.round(fraction * 100)}%)` : ''}${etaText}\n`);
    }
  };
  const done = (): void => {
    if (drawn) io.stderr.write('\r\x1b[2K');
  };
  return { update, done };
}
