import { describe, expect, it } from 'vitest';
import { barLine, createTerminal, type BarView } from '../../../src/output/terminal-progress.js';
import type { Pushback } from '../../../src/send/pushback.js';

/** Carriage return, then erase the line. */
const CLEAR = `\r${String.fromCharCode(27)}[2K`;

/** A terminal on a recorded stream, with a clock and a redraw timer the test moves by hand. */
function fakeTerminal(columns = 160) {
  let t = 1_000_000;
  let timer: (() => void) | undefined;
  const writes: string[] = [];
  const terminal = createTerminal(
    { columns, write: (text: string) => writes.push(text) },
    {
      now: () => t,
      every: (_ms, tick) => {
        timer = tick;
        return () => (timer = undefined);
      },
    },
  );
  return {
    terminal,
    writes,
    advance(ms: number) {
      t += ms;
    },
    /** The redraw timer fires (as it does twice a second). */
    fire() {
      timer?.();
    },
    timerRunning: () => timer !== undefined,
    /** What the screen shows: the text with every cleared line removed, as a terminal renders it. */
    screen() {
      const lines = [''];
      for (const piece of writes.join('').split(new RegExp(`(${CLEAR.replace('[', '\\[')}|\n)`))) {
        if (piece === CLEAR) lines[lines.length - 1] = '';
        else if (piece === '\n') lines.push('');
        else lines[lines.length - 1] += piece;
      }
      return lines;
    },
    lastBar: () => [...writes].reverse().find((w) => w.startsWith(`${CLEAR} `)) ?? '',
  };
}

const noPushback: Pushback = { pausedMs: 0, retrying: 0, concurrency: 8, maxConcurrency: 8, lowered: false };

describe('the progress bar', () => {
  it('follows rows finished of the total records: reads (--backup/--verify) never count as rows', () => {
    const fake = fakeTerminal();
    const progress = fake.terminal.progress({ records: 3000 });
    fake.advance(8_000);
    // 160 rows finished after 40 reads of 200 Ids: 5%, not the 60% the bytes read ahead would say.
    progress.tick({ done: 160, failed: 0, reads: 40 });
    const bar = fake.lastBar();
    expect(bar).toContain('  5% | 160 / 3,000 rows');
    expect(bar).toContain('40 reads');
    // 160 rows in 8 s: 20 rows/s, 2,840 rows to go: 142 s.
    expect(bar).toContain('20 rows/s');
    expect(bar).toContain('ETA 2m22s');
  });

  it('shows the total with thousands separators, rows/s and rows not updated', () => {
    const fake = fakeTerminal();
    const progress = fake.terminal.progress({ records: 3000 });
    fake.advance(30_000);
    progress.tick({ done: 1968, failed: 12 });
    const bar = fake.lastBar();
    expect(bar).toContain('65% | 1,968 / 3,000 rows');
    expect(bar).toContain('12 not updated');
  });

  it('rows/s and the ETA follow the recent rate, so a slowdown shows at once', () => {
    const fake = fakeTerminal();
    const progress = fake.terminal.progress({ records: 10_000 });
    let done = 0;
    // 20 s at 65 rows/s, then 20 s at 17 rows/s, a tick every half second.
    for (const rate of [65, 17]) {
      for (let i = 0; i < 40; i++) {
        fake.advance(500);
        done += rate / 2;
        progress.tick({ done: Math.round(done), failed: 0 });
      }
    }
    const bar = fake.lastBar();
    expect(bar).toContain('17 rows/s');
    // 10,000 - 1,640 rows at 17 rows/s.
    expect(bar).toContain('ETA 8m12s');
  });

  it("says when Zuora pushes back: a pause by the rate limit, retries, a lowered concurrency", () => {
    const fake = fakeTerminal();
    let pushback: Pushback = { pausedMs: 11_200, retrying: 3, concurrency: 4, maxConcurrency: 8, lowered: true };
    fake.terminal.progress({ records: 3000, pushback: () => pushback });
    fake.fire();
    expect(fake.lastBar()).toContain("paused 12 s by Zuora's rate limit | retrying 3 | concurrency lowered to 4 of 8");
    // The timer redraws without outcomes, so the pause counts down and then goes away.
    pushback = { ...noPushback, pausedMs: 4_000 };
    fake.fire();
    expect(fake.lastBar()).toContain("paused 4 s by Zuora's rate limit");
    expect(fake.lastBar()).not.toContain('retrying');
    pushback = noPushback;
    fake.fire();
    expect(fake.lastBar()).not.toContain('paused');
  });

  it('says the run is stopping after an interrupt', () => {
    const fake = fakeTerminal();
    let stopping = false;
    fake.terminal.progress({ records: 10, stopping: () => stopping });
    stopping = true;
    fake.fire();
    expect(fake.lastBar()).toContain('stopping: finishing the requests in flight');
  });

  it('clears the bar before any other line, draws it again below, and leaves nothing of it when stopped', () => {
    const fake = fakeTerminal();
    const progress = fake.terminal.progress({ records: 300 });
    fake.advance(1_000);
    progress.tick({ done: 100, failed: 0 });
    fake.terminal.write('WARN: interrupted: finishing the requests in flight (press Ctrl-C again to stop at once)\n');
    // The warning is a line of its own, whole; the bar is below it.
    expect(fake.screen()[0]).toBe('WARN: interrupted: finishing the requests in flight (press Ctrl-C again to stop at once)');
    expect(fake.screen()[1]).toContain('100 / 300 rows');
    progress.stop();
    expect(fake.timerRunning()).toBe(false);
    fake.terminal.write('\nzuora-usage-update: Interrupted: in-flight requests were allowed to finish.\n');
    expect(fake.screen()).toEqual([
      'WARN: interrupted: finishing the requests in flight (press Ctrl-C again to stop at once)',
      '',
      'zuora-usage-update: Interrupted: in-flight requests were allowed to finish.',
      '',
    ]);
  });

  it('writes text as it is when no bar is shown', () => {
    const fake = fakeTerminal();
    fake.terminal.write('a line\n');
    expect(fake.writes).toEqual(['a line\n']);
  });
});

describe('barLine', () => {
  const view: BarView = {
    done: 1968,
    total: 3000,
    notUpdated: 12,
    reads: 40,
    rate: 17,
    etaSeconds: 61,
    pushback: { pausedMs: 12_000, retrying: 3, concurrency: 4, maxConcurrency: 8, lowered: true },
    stopping: false,
  };

  it('fits a narrow terminal by leaving out what matters least, never the rows or the pushback', () => {
    for (const width of [200, 120, 100, 80, 60]) {
      const line = barLine(view, width);
      expect(line.length, line).toBeLessThanOrEqual(width);
      expect(line).toContain('1,968 / 3,000 rows');
      if (width >= 80) expect(line).toContain("paused 12 s by Zuora's rate limit");
    }
    expect(barLine(view, 200)).toContain('░');
    expect(barLine(view, 80)).not.toContain('░');
  });

  it('shows 100% and ETA 0s once every record is done', () => {
    expect(barLine({ ...view, done: 3000, etaSeconds: 0, pushback: undefined }, 200)).toMatch(/100% \| 3,000 \/ 3,000 rows .* ETA 0s/);
  });
});
