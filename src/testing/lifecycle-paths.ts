/**
 * Every lifecycle path of a connection, for an application's own tests: generated from the
 * production `connectionMachine` with `xstate/graph` (see `lifecycle-walk.ts`), each one
 * runnable with the in-memory transport and a simulated clock. An app hands `run()` a factory
 * that builds its own code around a connection; the kit drives that connection through the
 * path, checking at each step that it really went where the machine says, and returns it for
 * the app's assertions ("the offline banner shows on every path that ends closed").
 */
import { connectionMachine } from '../../machines/connection.machine.js';
import type { CloseInfo } from '../../machines/connection.types.js';
import type { Connection, ConnectionOptions, ConnectionStateName } from '../public-api.js';
import { planPath, stateName, type LifecycleMachine, type ModelPath } from './model/lifecycle-model.js';
import { generateLifecyclePaths } from './model/lifecycle-walk.js';
import { eventLabel, type StepView } from './model/lifecycle-oracle.js';
import { runPath, sameView } from './model/lifecycle-runner.js';
import { memoryDriver } from './model/memory-driver.js';
import type { MemoryTransport } from './memory-transport.js';
import type { SimulatedClock } from './simulated-clock.js';

export interface LifecyclePath {
  /**
   * Where the path goes and through which steps, e.g. `connecting → open → gaveUp
   * (normal): socket.open, socket.close 4001 clean`; prefixed `without reconnect or
   * heartbeat:` on the paths of a connection that has neither.
   */
  readonly description: string;
  /** Whether the connection reconnects on this path; `run()` passes the options that say so. */
  readonly reconnect: boolean;
  /** Whether the connection pings while open on this path. */
  readonly heartbeat: boolean;
  /** The states the connection goes through, from `connecting`, without repeats in a row. */
  readonly states: readonly ConnectionStateName[];
  /** The steps, in the machine's vocabulary: `user.send 3B`, `socket.open`, `timer.drain`... */
  readonly steps: readonly string[];
  readonly finalState: ConnectionStateName;
  /** How the last attempt ended, when the path ends the connection for good (`closed` or `gaveUp`): what `closed` resolves with. */
  readonly closeInfo: CloseInfo | undefined;
  /**
   * Drives a connection through the path with the in-memory transport and a simulated clock.
   * `start` receives the options the path needs (transport, clock, environment, small queue
   * bounds, timeouts, retries, backoff, heartbeat) and returns the connection the app built
   * with them; by default the kit creates one. Rejects if the connection strays from the path.
   */
  run(start?: (options: ConnectionOptions) => Connection): Promise<LifecycleRun>;
}

/** A connection at the end of a path, and the world the kit drove it in. */
export interface LifecycleRun {
  readonly connection: Connection;
  /** The in-memory transport: `transport.socket.written` is what the server received. */
  readonly transport: MemoryTransport;
  readonly clock: SimulatedClock;
  /** Where the connection hears `online` and `offline`: dispatch them to play the device's network. */
  readonly environment: EventTarget;
  /**
   * Every event the connection emitted, as `open`, `error <cause>`, `close <code> <cause>
   * clean|unclean` (with ` (will reconnect)` when another attempt follows), `reconnecting
   * attempt <n> retry <r> in <ms>ms`, `giveup <reason> after <close>`, `undelivered <data>
   * <reason>`, `state <name>`.
   */
  readonly events: readonly string[];
}

let generated: readonly ModelPath[] | undefined;

/** Every generated lifecycle path; the same paths the package's own model-based tests run. */
export function lifecyclePaths(): LifecyclePath[] {
  generated ??= generateLifecyclePaths();
  return generated.map((path) => lifecyclePath(connectionMachine, path));
}

/** A path's public face: its description, where it ends, and `run()`. */
export function lifecyclePath(machine: LifecycleMachine, path: ModelPath): LifecyclePath {
  const { start, steps } = planPath(machine, path);
  const states = [stateName(start.machine)];
  for (const { after } of steps) {
    const state = stateName(after.machine);
    if (state !== states.at(-1)) states.push(state);
  }
  const end = steps.at(-1)?.after ?? start;
  const finalState = stateName(end.machine);
  const closeInfo = finalState === 'closed' || finalState === 'gaveUp' ? end.machine.context.closeInfo : undefined;
  const labels = steps.map((step) => eventLabel(step.event, step.before));
  const { reconnect, heartbeat } = path.input;
  const lacking = [...(reconnect ? [] : ['reconnect']), ...(heartbeat ? [] : ['heartbeat'])];
  const config = lacking.length === 0 ? '' : `without ${lacking.join(' or ')}: `;
  return {
    description: `${config}${states.join(' → ')}${closeInfo ? ` (${closeInfo.cause})` : ''}: ${labels.join(', ')}`,
    reconnect,
    heartbeat,
    states,
    steps: labels,
    finalState,
    closeInfo,
    async run(startConnection) {
      const driver = memoryDriver();
      const run = await runPath(path, driver, startConnection ? { machine, start: startConnection } : { machine });
      const stray = run.observed.findIndex((view, i) => !sameView(view, run.expected[i]!));
      if (stray !== -1) throw new Error(strayMessage(run.expected[stray]!, run.observed[stray]!));
      if (run.violations.length > 0) throw new Error(`The connection broke its guarantees:\n${run.violations.join('\n')}`);
      return {
        connection: run.connection,
        transport: driver.memory,
        clock: driver.clock,
        environment: run.environment,
        events: run.events,
      };
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
