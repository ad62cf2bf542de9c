import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRunState } from '../../../src/run/run-state.js';

const logger = pino({ level: 'silent' });
afterEach(() => {
  vi.useRealTimers();
});

describe('createRunState', () => {
  it('completes unless stopped or interrupted', () => {
    const state = createRunState({ graceMs: 10, logger });
    expect(state.status).toBe('completed');
    expect(state.stopSignal.aborted).toBe(false);
  });

  it('an early stop aborts the stop signal, keeps the first reason and never abandons requests', () => {
    const state = createRunState({ graceMs: 10, logger });
    state.stopEarly({ kind: 'unreachable', reason: 'first' });
    state.stopEarly({ kind: 'max-failures', reason: 'second' });
    expect(state.status).toBe('stopped');
    expect(state.stop).toEqual({ kind: 'unreachable', reason: 'first' });
    expect(state.stopSignal.aborted).toBe(true);
    expect(state.abandonSignal.aborted).toBe(false);
  });

  it('an interrupt stops new rows at once and abandons the rest after the grace period', () => {
    vi.useFakeTimers();
    const interrupt = new AbortController();
    const state = createRunState({ interrupt: interrupt.signal, graceMs: 10_000, logger });
    interrupt.abort();
    expect(state.status).toBe('interrupted');
    expect(state.stopSignal.aborted).toBe(true);
    vi.advanceTimersByTime(9_999);
    expect(state.abandonSignal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(state.abandonSignal.aborted).toBe(true);
  });

  it('a second interrupt (abandonNow) abandons the requests in flight at once, without waiting out the grace period', () => {
    vi.useFakeTimers();
    const interrupt = new AbortController();
    const abandonNow = new AbortController();
    const state = createRunState({ interrupt: interrupt.signal, abandonNow: abandonNow.signal, graceMs: 10_000, logger });
    interrupt.abort();
    vi.advanceTimersByTime(1_000);
    expect(state.abandonSignal.aborted).toBe(false);
    abandonNow.abort();
    expect(state.abandonSignal.aborted).toBe(true);
    expect(state.status).toBe('interrupted');
  });

  it('an early stop after an interrupt does not turn the run into "stopped"', () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const state = createRunState({ interrupt: interrupt.signal, graceMs: 10, logger });
    state.stopEarly({ kind: 'output', reason: 'disk full' });
    expect(state.status).toBe('interrupted');
    expect(state.stop).toBeUndefined();
    state.dispose();
  });
});
