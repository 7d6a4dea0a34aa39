// The worker's entry (dist/apps/worker/main.js), bundled on its own and kept tiny: its first
// statement installs the SIGTERM/SIGINT handlers, and only then is the worker itself (worker.js:
// TypeORM, the engine, the gallery… hundreds of milliseconds to load) required. A stop that arrives
// while it loads is then a clean exit 0, not a death by the signal (143). Nothing else is imported
// here, so nothing loads before the handlers.
import { ShutdownSignal } from './shutdown-signal';

const shutdown = new ShutdownSignal();
// The other bundle (kept external by tools/build/apps.cjs), so it loads after the handlers.
const { runWorker } = require('./worker.js') as typeof import('./worker');
runWorker(shutdown);
