// Public API of the ComfyUI emulator (tests, benchmarks, `kiln … --emulator`).
export { startEmulator } from './start-emulator';
export type { RunningEmulator } from './start-emulator';

export type { EmulatorOptions } from './emulator-options';

