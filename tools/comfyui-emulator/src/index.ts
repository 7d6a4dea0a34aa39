// Public API of the ComfyUI emulator (tests, benchmarks, `kiln … --emulator`).
export { startEmulator } from './start-emulator';
export type { RunningEmulator } from './start-emulator';
export { DEFAULT_CHECKPOINTS } from './emulator-options';
export { DEFAULT_MODELS } from './models/model-folders';
export type { EmulatorOptions } from './emulator-options';
export type { EmulatorStats } from './emulator-stats';
export { defaultFaults } from './faults/emulator-faults';
export type { EmulatorFaults, RequestFaultRule } from './faults/emulator-faults';
