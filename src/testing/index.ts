/**
 * The test kit: what an application's own tests need to drive a connection through its
 * lifecycle without a network or real time.
 */
export { SimulatedClock } from './simulated-clock.js';
export {
  createMemoryTransport,
  MemorySocket,
  type MemorySocketPhase,
  type MemoryTransport,
  type MemoryTransportOptions,
  type WrittenMessage,
} from './memory-transport.js';
export { lifecyclePaths, type LifecyclePath, type LifecycleRun } from './lifecycle-paths.js';
