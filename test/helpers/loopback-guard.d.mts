/** Types of loopback-guard.mjs (plain JavaScript, so spawned CLIs can `--import` it). */
export declare const GUARD_EXIT_CODE: number;
export declare const GUARD_ENV: string;
export declare function isLoopback(host: string | null | undefined): boolean;
export declare function installLoopbackGuard(onViolation: (message: string) => void): void;
