/**
 * Every lifecycle path of a connection, for an application's own tests: generated from the
 * production `connectionMachine` with `xstate/graph` (see `lifecycle-model.ts`), each one
 * runnable with the in-memory transport and a simulated clock. An app hands `run()` a factory
 * that builds its own code around a connection; the kit drives that connection through the
 * path, checking at each step that it really went where the machine says, and returns it for
 * the app's assertions ("the offline banner shows on every path that ends closed").
 */
import { connectionMachine } from '../../machines/connection.machine.js';
import type { CloseInfo, ConnectionEvent } from '../../machines/connection.types.js';
import type { Connection, ConnectionOptions, ConnectionStateName } from '../public-api.js';
import { generateLifecyclePaths, planPath, stateName, type LifecycleMachine } from './lifecycle-model.js';
import { eventLabel, type StepView } from './lifecycle-oracle.js';
import { runPath, sameView } from './lifecycle-runner.js';
import { memoryDriver } from './memory-driver.js';
import type { MemoryTransport } from './memory-transport.js';
import type { SimulatedClock } from './simulated-clock.js';

export interface LifecyclePath {
  /** Where the path goes and through which steps, e.g. `connecting → open → closed (normal): socket.open, socket.close 4001 clean`. */
  readonly description: string;
  /** The states the connection goes through, from `connecting`, without repeats in a row. */
  readonly states: readonly ConnectionStateName[];
  /** The steps, in the machine's vocabulary: `user.send 3B`, `socket.open`, `timer.drain`... */
  readonly steps: readonly string[];
  readonly finalState: ConnectionStateName;
  /** How the connection ended, when the path ends `closed`. */
  readonly closeInfo: CloseInfo | undefined;
  /**
   * Drives a connection through the path with the in-memory transport and a simulated clock.
   * `start` receives the options the path needs (transport, clock, small queue bounds,
   * timeouts) and returns the connection the app built with them; by default the kit creates
   * one. Rejects if the connection strays from the path.
   */
  run(start?: (options: ConnectionOptions) => Connection): Promise<LifecycleRun>;
}

/** A connection at the end of a path, and the world the kit drove it in. */
export interface LifecycleRun {
  readonly connection: Connection;
  /** The in-memory transport: `transport.socket.written` is what the server received. */
  readonly transport: MemoryTransport;
  readonly clock: SimulatedClock;
  /** Every event the connection emitted, as `open`, `error <cause>`, `close <code> <cause> clean|unclean`, `undelivered <data> <reason>`, `state <name>`. */
  readonly events: readonly string[];
}

let generated: readonly ConnectionEvent[][] | undefined;

/** Every generated lifecycle path; the same paths the package's own model-based tests run. */
export function lifecyclePaths(): LifecyclePath[] {
  generated ??= generateLifecyclePaths();
  return generated.map((events) => lifecyclePath(connectionMachine, events));
}

/** A path's public face: its description, where it ends, and `run()`. */
export function lifecyclePath(machine: LifecycleMachine, events: readonly ConnectionEvent[]): LifecyclePath {
  const { start, steps } = planPath(machine, events);
  const states = [stateName(start.machine)];
  for (const { after } of steps) {
    const state = stateName(after.machine);
    if (state !== states.at(-1)) states.push(state);
  }
  const end = steps.at(-1)?.after ?? start;
  const finalState = stateName(end.machine);
  const closeInfo = finalState === 'closed' ? end.machine.context.closeInfo : undefined;
  const labels = steps.map((step) => eventLabel(step.event, step.before));
  return {
    description: `${states.join(' → ')}${closeInfo ? ` (${closeInfo.cause})` : ''}: ${labels.join(', ')}`,
    states,
    steps: labels,
    finalState,
    closeInfo,
    async run(startConnection) {
      const driver = memoryDriver();
      const run = await runPath(events, driver, startConnection ? { machine, start: startConnection } : { machine });
      const stray = run.observed.findIndex((view, i) => !sameView(view, run.expected[i]!));
      if (stray !== -1) throw new Error(strayMessage(run.expected[stray]!, run.observed[stray]!));
      if (run.violations.length > 0) throw new Error(`The connection broke its guarantees:\n${run.violations.join('\n')}`);
      return { connection: run.connection, transport: driver.memory, clock: driver.clock, events: run.events };
    },
  };
}

function strayMessage(expected: StepView, observed: StepView): string {
  return [
    `The connection strayed from the path at "${expected.step}":`,
    `expected ${JSON.stringify(expected)}`,
    `observed ${JSON.stringify(observed)}`,
  ].join('\n');
}
