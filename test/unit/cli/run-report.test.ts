import { describe, expect, it } from 'vitest';
import { whoRuns } from '../../../src/cli/run-report.js';

describe('who ran the report', () => {
  it('names the user and the host', () => {
    expect(whoRuns({ userName: () => 'ana', uid: () => 1000, host: () => 'billing-7' })).toEqual({ user: 'ana', host: 'billing-7' });
  });

  it('shows the user id when the user has no name (no passwd entry, as in many containers)', () => {
    const noEntry = () => {
      throw new Error('ENOENT: no such file or directory, uv_os_get_passwd');
    };
    expect(whoRuns({ userName: noEntry, uid: () => 1001, host: () => 'pod-x' })).toEqual({ user: 'uid 1001', host: 'pod-x' });
    expect(whoRuns({ userName: () => '', uid: () => 0, host: () => 'h' }).user).toBe('uid 0');
  });
});
