/**
 * Keeps tests on the machine: every DNS lookup and TCP/TLS connect to a host that is not loopback is
 * refused before a packet leaves. Plain JavaScript, so a spawned CLI loads it with
 * `node --import <this file>` (the spawn helpers in test/helpers/cli.ts and run-process.ts set
 * NODE_OPTIONS), and the vitest setup file (test/helpers/setup.ts) installs it in the test process.
 *
 * Loaded by `--import` it installs itself in "exit" mode: the child prints the refusal on stderr and
 * exits with GUARD_EXIT_CODE, so the test that spawned it sees a clear failure.
 */

import dns from 'node:dns';
import { writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import process from 'node:process';

/** Exit code of a spawned process that tried to leave the machine (no exit code of the CLI uses it). */
export const GUARD_EXIT_CODE = 86;

/** Set in the environment of a spawned process to install the guard on import. */
export const GUARD_ENV = 'ZUU_LOOPBACK_GUARD';

/** Whether `host` names this machine: localhost, 127.0.0.0/8 or ::1 (also IPv4-mapped). */
export function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default host is localhost.
  const h = String(host).toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

/** Where a `Socket#connect` call goes: its host, or undefined for a Unix socket or named pipe. */
function hostOfConnect(args) {
  let first = args[0];
  // net.connect() hands Socket#connect its already-normalized [options, callback].
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === 'object') return first.path !== undefined ? undefined : (first.host ?? 'localhost');
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // a path
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

let installed = false;

/**
 * Wraps dns.lookup, dns.promises.lookup and net.Socket.prototype.connect (which net.connect, http,
 * https, tls, got and fetch all go through). `onViolation(message)` is called for every refused host;
 * the caller then gets an error, as if the host could not be reached.
 */
export function installLoopbackGuard(onViolation) {
  if (installed) return;
  installed = true;
  const refuse = (what, host) => {
    const message = `loopback guard: a test tried to ${what} "${host}"; tests may only reach 127.0.0.1`;
    onViolation(message);
    return Object.assign(new Error(message), { code: 'ELOOPBACKGUARD' });
  };

  const lookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname, ...rest) {
    if (!isLoopback(hostname)) {
      const callback = rest.at(-1);
      const error = refuse('resolve', hostname);
      if (typeof callback === 'function') process.nextTick(callback, error);
      return {};
    }
    return lookup.call(this, hostname, ...rest);
  };
  const promisesLookup = dns.promises.lookup;
  dns.promises.lookup = async function guardedPromisesLookup(hostname, ...rest) {
    if (!isLoopback(hostname)) throw refuse('resolve', hostname);
    return promisesLookup.call(this, hostname, ...rest);
  };

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    const host = hostOfConnect(args);
    if (host !== undefined && !isLoopback(host)) {
      const error = refuse('connect to', host);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return connect.apply(this, args);
  };
  // `import { lookup } from 'node:dns'` elsewhere sees the wrapped function too.
  syncBuiltinESMExports();
}

if (process.env[GUARD_ENV] === 'exit') {
  installLoopbackGuard((message) => {
    writeSync(2, `${message}\n`);
    process.exit(GUARD_EXIT_CODE);
  });
}
