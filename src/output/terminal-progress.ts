import cliProgress from 'cli-progress';
import type { Progress } from './progress.js';

/**
 * A progress bar on a terminal: rows done, rows/s, failures, and an ETA from the share of input bytes
 * read (the row count is unknown until the end, the file size is not). Redrawn at most 5 times a second.
 */
export function terminalProgress(stream: NodeJS.WriteStream, totalBytes: number | undefined, now: () => number = Date.now): Progress {
  const started = now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {bar} {percentage}% | {done} rows{readsText} | {rate} rows/s | {failed} not updated | ETA {etaText}',
      fps: 5,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = totalBytes && totalBytes > 0 ? totalBytes : 1;
  bar.start(total, 0, { done: 0, readsText: '', rate: '0', failed: 0, etaText: '-' });
  return {
    tick({ done, failed, bytesRead, reads }) {
      const elapsed = (now() - started) / 1000;
      const share = Math.min(1, bytesRead / total);
      const eta = share > 0 && elapsed > 1 ? Math.max(0, elapsed / share - elapsed) : undefined;
      bar.update(Math.min(bytesRead, total), {
        done,
        // Reads of --preview, --backup and --verify: 200 rows a request.
        readsText: reads === undefined ? '' : ` (${reads} reads)`,
        failed,
        rate: elapsed > 0 ? (done / elapsed).toFixed(0) : '0',
        etaText: eta === undefined ? '-' : formatDuration(eta),
      });
    },
    stop() {
      bar.stop();
    },
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
