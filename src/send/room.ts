/**
 * A bound outside the pool on taking rows (the results writer's reorder buffer and files, rows waiting
 * for a read-back). Like p-queue's `onSizeLessThan`: the sender awaits `room()` instead of polling.
 */
export interface Room {
  /** Whether the sender may take another row now. */
  hasRoom(): boolean;
  /** Resolves once `hasRoom()` may have turned true (at once when it is true already). */
  room(): Promise<void>;
}

/** A `Room` for a bound whose owner calls `check()` whenever it may have freed room. */
export interface CheckedRoom extends Room {
  /** Wakes every waiter if there is room now. */
  check(): void;
}

/** Room while `hasRoom()` holds; waiters are woken by `check()`. */
export function createRoom(hasRoom: () => boolean): CheckedRoom {
  let waiters: Array<() => void> = [];
  return {
    hasRoom,
    room() {
      if (hasRoom()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    check() {
      if (waiters.length === 0 || !hasRoom()) return;
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
  };
}

/** Room when both have room. */
export function bothRooms(a: Room, b: Room): Room {
  return {
    hasRoom: () => a.hasRoom() && b.hasRoom(),
    room: async () => {
      await a.room();
      await b.room();
    },
  };
}
