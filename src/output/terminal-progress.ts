import type { Pushback } from '../send/pushback.js';
import type { Progress, ProgressSource } from './progress.js';

/** Where a terminal writes: stderr in production, a stream in tests. `columns` is its width. */
export interface TerminalStream {
  write(text: string): unknown;
  columns?: number;
}

/** Effects of the terminal, passed in so tests choose the time (STYLE 4, 12). */
export interface TerminalDeps {
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Calls `tick` every `ms` until the returned function is called. Default `setInterval`, not keeping the process alive. */
  every?: (ms: number, tick: () => void) => () => void;
}

/**
 * A terminal shared by the progress bar and everything else written to it (log lines, warnings, the
 * summary): the bar is the last line, cleared before any other text is written and drawn again below
 * it, so no line is written over the bar and the bar never ends up inside another line (SPEC "Outputs").
 */
export interface Terminal {
  /** Writes text that is not the bar (whole lines). */
  write(text: string): void;
  /** Starts the progress bar; `stop()` clears it and leaves nothing of it on the screen. */
  progress(source: ProgressSource): Progress;
}

const CLEAR_LINE = '\r\x1b[2K';
/** Redraws on row outcomes at most this often. */
const DRAW_EVERY_MS = 200;
/** Redraws this often without outcomes, so a pause counts down. */
const TIMER_MS = 500;
/** Rows per second and the ETA follow the rows finished in this much recent time, so a slowdown shows at once. */
const RATE_WINDOW_MS = 10_000;
const SAMPLE_EVERY_MS = 500;
const BAR_WIDTH = 20;

export function createTerminal(stream: TerminalStream, deps: TerminalDeps = {}): Terminal {
  const now = deps.now ?? Date.now;
  const every =
    deps.every ??
    ((ms: number, tick: () => void) => {
      const timer = setInterval(tick, ms);
      timer.unref();
      return () => clearInterval(timer);
    });
  let bar: BarState | undefined;
  let drawn = false;
  let lastDraw = -Infinity;
  const clear = (): void => {
    if (!drawn) return;
    stream.write(CLEAR_LINE);
    drawn = false;
  };
  const draw = (): void => {
    if (!bar) return;
    lastDraw = now();
    stream.write(CLEAR_LINE + barLine(bar.view(lastDraw), Math.max(20, (stream.columns ?? 80) - 1)));
    drawn = true;
  };
  return {
    write(text) {
      clear();
      stream.write(text);
      // The bar goes back below the text once the text ended its line.
      if (text.endsWith('\n')) draw();
    },
    progress(source) {
      const state = barState(source, now());
      bar = state;
      draw();
      const cancel = every(TIMER_MS, draw);
      let stopped = false;
      return {
        tick(update) {
          if (stopped) return;
          state.update(update, now());
          if (now() - lastDraw >= DRAW_EVERY_MS) draw();
        },
        stop() {
          if (stopped) return;
          stopped = true;
          cancel();
          clear();
          if (bar === state) bar = undefined;
        },
      };
    },
  };
}

/** What one drawing of the bar shows. */
export interface BarView {
  done: number;
  total: number;
  notUpdated: number;
  reads: number;
  /** Rows per second over the recent window; undefined until a second has passed. */
  rate: number | undefined;
  /** Seconds left at that rate; undefined when unknown. */
  etaSeconds: number | undefined;
  pushback?: Pushback;
  stopping: boolean;
}

interface BarState {
  update(state: { done: number; failed: number; reads?: number }, at: number): void;
  view(at: number): BarView;
}

/** The bar's counters and the recent samples its rate comes from. */
function barState(source: ProgressSource, startedAt: number): BarState {
  let done = 0;
  let notUpdated = 0;
  let reads = 0;
  const samples: Array<{ at: number; done: number }> = [{ at: startedAt, done: 0 }];
  const sample = (at: number): void => {
    const last = samples[samples.length - 1];
    if (last && at - last.at < SAMPLE_EVERY_MS) return;
    samples.push({ at, done });
    // Keep one sample older than the window, as the start of the window.
    while (samples.length > 2 && (samples[1]?.at ?? at) <= at - RATE_WINDOW_MS) samples.shift();
  };
  return {
    update(state, at) {
      done = state.done;
      notUpdated = state.failed;
      reads = state.reads ?? reads;
      sample(at);
    },
    view(at) {
      sample(at);
      const first = samples[0] ?? { at: startedAt, done: 0 };
      const seconds = (at - first.at) / 1000;
      const rate = at - startedAt >= 1000 && seconds > 0 ? Math.max(0, done - first.done) / seconds : undefined;
      const left = Math.max(0, source.records - done);
      const etaSeconds = left === 0 ? 0 : rate !== undefined && rate > 0 ? left / rate : undefined;
      return {
        done,
        total: source.records,
        notUpdated,
        reads,
        rate,
        etaSeconds,
        pushback: source.pushback?.(),
        stopping: source.stopping?.() ?? false,
      };
    },
  };
}

/**
 * One line of the bar, at most `width` characters: the parts that matter least go first when it does
 * not fit (the bar graphic, then reads, ETA, ...), never the rows and what slows the run.
 */
export function barLine(view: BarView, width: number): string {
  const share = view.total > 0 ? Math.min(1, view.done / view.total) : 0;
  const percent = `${String(Math.floor(share * 100)).padStart(3)}%`;
  const filled = Math.round(share * BAR_WIDTH);
  // Highest priority first; each part is kept only while the line fits.
  const parts: Array<{ text: string; keep: number }> = [
    { text: `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`, keep: 7 },
    { text: percent, keep: 1 },
    { text: `${count(view.done)} / ${count(view.total)} rows`, keep: 0 },
    { text: view.rate === undefined ? '- rows/s' : `${count(Math.round(view.rate))} rows/s`, keep: 2 },
    ...slowdown(view).map((text, i) => ({ text, keep: 3 + i / 10 })),
    { text: `${count(view.notUpdated)} not updated`, keep: 4 },
    { text: `ETA ${view.etaSeconds === undefined ? '-' : formatDuration(view.etaSeconds)}`, keep: 5 },
    ...(view.reads > 0 ? [{ text: `${count(view.reads)} reads`, keep: 6 }] : []),
  ];
  const join = (kept: typeof parts): string => ` ${kept.map((part) => part.text).join(' | ')}`;
  let kept = parts;
  const ranks = [...new Set(parts.map((part) => part.keep))].sort((a, b) => b - a);
  for (const rank of ranks) {
    if (rank === 0 || join(kept).length <= width) break;
    kept = kept.filter((part) => part.keep < rank);
  }
  const line = join(kept);
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** What holds the run back, in words ("paused 12 s by Zuora's rate limit", "retrying 3"). */
function slowdown(view: BarView): string[] {
  const words: string[] = [];
  if (view.stopping) words.push('stopping: finishing the requests in flight');
  const pushback = view.pushback;
  if (!pushback) return words;
  if (pushback.pausedMs > 0) words.push(`paused ${Math.ceil(pushback.pausedMs / 1000)} s by Zuora's rate limit`);
  if (pushback.retrying > 0) words.push(`retrying ${count(pushback.retrying)}`);
  if (pushback.lowered) words.push(`concurrency lowered to ${pushback.concurrency} of ${pushback.maxConcurrency}`);
  return words;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
