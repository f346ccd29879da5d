// Before each test, one turn of the event loop. Most of the engine's tests are synchronous, and
// vitest awaits a synchronous test in microtasks only, so a file of them never lets the worker
// read the main process's replies: after 60 s (test/engine/oracle.test.ts takes 62) the
// worker's RPC timer fires before the reply it holds is read, and the run fails with
// "Timeout calling onTaskUpdate" although every test passed.

import { beforeEach } from "vitest";

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
