import { describe, expect, it } from 'vitest';
import { bothRooms, createRoom } from '../../../src/send/room.js';
import { eventLoopTurns } from '../../helpers/wait-for.js';

describe('room: a bound outside the pool', () => {
  it('room() waits while there is no room, and check() wakes it only once there is', async () => {
    let free = false;
    const room = createRoom(() => free);
    let woken = false;
    const waiting = room.room().then(() => (woken = true));
    room.check();
    await eventLoopTurns(3);
    expect(woken).toBe(false);
    free = true;
    room.check();
    await waiting;
    expect(woken).toBe(true);
  });

  it('bothRooms has room only when both have; its room() waits for the one without', async () => {
    const a = true;
    let b = false;
    const second = createRoom(() => b);
    const both = bothRooms(createRoom(() => a), second);
    expect(both.hasRoom()).toBe(false);
    let woken = false;
    const waiting = both.room().then(() => (woken = true));
    await eventLoopTurns(3);
    expect(woken).toBe(false);
    b = true;
    second.check();
    await waiting;
    expect(both.hasRoom()).toBe(true);
  });
});
