/**
 * Runs one generated path against a real `Connection`: each step becomes a real stimulus (a
 * call on the connection, time on the simulated clock, or something the driver makes the
 * socket's world do), and after each the runner compares what the app can observe with what
 * the oracle derived from the machine. It stops at the first difference, since later steps
 * would assume a state the connection is not in.
 *
 * Asynchrony: a step whose outcome arrives later (a `ws` server's answer, a drain reported in
 * a microtask) returns a promise from the driver, and the runner then waits for exactly the
 * events the oracle predicts, without sleeping. Every other step is performed synchronously.
 * After a step, the driver lets whatever is already under way run (`settle`), so that anything
 * the connection would do unprompted shows before the check, except where a real socket's own
 * report may be on its way (`reportMayBePending`): there the next step is taken at once, as an
 * app or a clock can take it before that report arrives.
 */
import type { AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionEvent } from '../../machines/connection.types.js';
import { createConnection, type Connection } from '../connection.js';
import type { ConnectionOptions } from '../options.js';
import type { Transport } from '../transports/transport.js';
import { checkInvariants } from './lifecycle-invariants.js';
import { MODEL_INPUT, MODEL_TIMEOUTS, isCurrent, planPath, reportMayBePending, type LifecycleMachine, type PlannedStep } from './lifecycle-model.js';
import { LifecycleOracle, formatEvent, payloadOf, type StepView } from './lifecycle-oracle.js';
import type { SimulatedClock } from './simulated-clock.js';
import { tapTransport, type TapRecord } from './transport-tap.js';

/** The world a path runs in: a transport whose socket the driver controls, and a simulated clock. */
export interface LifecycleDriver {
  readonly url: string;
  readonly clock: SimulatedClock;
  readonly transport: Transport;
  /** Further connection options the world needs (an agent, say). */
  readonly options: ConnectionOptions;
  /** Called once the connection exists, before the first step. */
  attach(connection: Connection): void;
  /** Makes a socket event of the current attempt happen; returns a promise when its outcome arrives later. */
  socket(step: PlannedStep): void | Promise<void>;
  /** Lets what is already under way run (queued microtasks, or an event-loop turn), without waiting for time to pass. */
  settle(): Promise<void>;
  /** Ends whatever the path left running. */
  dispose(connection: Connection): Promise<void>;
}

export interface RunOptions {
  /** The machine to plan with; the production one unless a test says otherwise. */
  readonly machine?: LifecycleMachine;
  /** Wraps the transport the connection gets, to plant a fault; `connection()` is the connection, once created. */
  readonly wrap?: (transport: Transport, connection: () => Connection) => Transport;
  /** Creates the connection from the options the path needs, as an app's own code would. */
  readonly start?: (options: ConnectionOptions) => Connection;
  /** Told of every transition the connection's own actor takes (from its `@xstate.microstep` inspection events). */
  readonly onTransitions?: (transitions: readonly AnyTransitionDefinition[]) => void;
}

export interface PathRun {
  readonly connection: Connection;
  /** What the oracle predicts, up to the step where the run stopped. */
  readonly expected: StepView[];
  /** What the app could observe, step by step. */
  readonly observed: StepView[];
  /** Broken properties that hold whatever the machine says (see `lifecycle-invariants.ts`). */
  readonly violations: string[];
  /** Every event the connection emitted. */
  readonly events: readonly string[];
}

/** The connection options a path runs with: the model's bounds and timeouts, and the driver's world. */
export function pathOptions(driver: LifecycleDriver, transport: Transport): ConnectionOptions {
  return {
    ...driver.options,
    transport,
    clock: driver.clock,
    maxQueuedMessages: MODEL_INPUT.maxQueuedMessages,
    maxQueuedBytes: MODEL_INPUT.maxQueuedBytes,
    connectTimeout: MODEL_TIMEOUTS.connect,
    drainTimeout: MODEL_TIMEOUTS.drain,
    closeTimeout: MODEL_TIMEOUTS.close,
  };
}

export async function runPath(events: readonly ConnectionEvent[], driver: LifecycleDriver, options: RunOptions = {}): Promise<PathRun> {
  const plan = planPath(options.machine ?? connectionMachine, events);
  const oracle = new LifecycleOracle(plan.start, plan.startActions);
  const tap: TapRecord = { handed: [], unsent: [], closes: [] };
  let current = 0;
  const tapped = tapTransport(driver.transport, tap, () => current);
  let created: Connection | undefined;
  const onTransitions = options.onTransitions;
  const connectionOptions: ConnectionOptions = {
    ...pathOptions(driver, options.wrap ? options.wrap(tapped, () => created!) : tapped),
    ...(onTransitions && {
      inspect: (inspection: InspectionEvent) => {
        if (inspection.type === '@xstate.microstep') onTransitions((inspection as unknown as { _transitions: AnyTransitionDefinition[] })._transitions);
      },
    }),
  };
  const connection = (created = options.start ? options.start(connectionOptions) : createConnection(driver.url, connectionOptions));
  const recorder = new Recorder(connection);
  driver.attach(connection);

  const expected = [oracle.start];
  const observed = [observe(connection, driver.clock, recorder, 'start')];
  const sent: string[] = [];
  const eventsAfterStep = [recorder.events.length];
  for (const step of plan.steps) {
    if (!sameView(expected.at(-1)!, observed.at(-1)!)) break;
    current += 1;
    const data = step.event.type === 'user.send' ? payloadOf(sent.length, step.event.bytes) : undefined;
    if (data !== undefined) sent.push(data);
    const view = oracle.expect(step, data);
    if (step.event.type === 'socket.open') recorder.bufferedBefore = connection.bufferedAmount;
    const outcome = perform(step, data, connection, driver);
    if (outcome !== undefined) {
      await outcome;
      await recorder.reached(view.events);
    }
    if (!reportMayBePending(step.after)) await driver.settle();
    expected.push(view);
    observed.push(observe(connection, driver.clock, recorder, view.step));
    eventsAfterStep.push(recorder.events.length);
  }
  const violations = checkInvariants({
    events: recorder.events,
    eventsAfterStep,
    atOpen: recorder.atOpen,
    sent,
    tap,
    closed: connection.readyState === 3,
  });
  return { connection, expected, observed, violations, events: recorder.events };
}

function perform(step: PlannedStep, data: string | undefined, connection: Connection, driver: LifecycleDriver): void | Promise<void> {
  const { event, before } = step;
  if ('attempt' in event && !isCurrent(before.machine, event)) {
    // A connection makes one attempt, so no socket or timer of another exists to report one:
    // the event goes to the connection's actor directly, as a late report from one would.
    connection.actor.send(event);
    return;
  }
  switch (event.type) {
    case 'user.send':
      connection.send(data!);
      return;
    case 'user.close':
      void connection.close(event.code, event.reason);
      return;
    case 'timer.connect':
    case 'timer.drain':
    case 'timer.close':
      // Time passes by exactly the timeout: the timer the machine started on entering the state fires.
      driver.clock.advance(MODEL_TIMEOUTS[event.type.slice('timer.'.length) as keyof typeof MODEL_TIMEOUTS]);
      return;
    default:
      return driver.socket(step);
  }
}

function observe(connection: Connection, clock: SimulatedClock, recorder: Recorder, step: string): StepView {
  return {
    step,
    state: connection.state,
    readyState: connection.readyState,
    queuedMessages: connection.queuedMessages,
    bufferedAmount: connection.bufferedAmount,
    pendingTimers: clock.pendingTimers,
    events: [...recorder.events],
  };
}

export function sameView(a: StepView, b: StepView): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every event the connection emits, formatted as the oracle formats them. */
class Recorder {
  readonly events: string[] = [];
  readonly atOpen: { queuedMessages: number; bufferedAmount: number; bufferedBefore: number }[] = [];
  bufferedBefore = 0;
  #waiting: { expected: readonly string[]; resolve: () => void } | undefined;

  constructor(connection: Connection) {
    connection.on('open', () => {
      const { queuedMessages, bufferedAmount } = connection;
      this.atOpen.push({ queuedMessages, bufferedAmount, bufferedBefore: this.bufferedBefore });
      this.#push(formatEvent.open());
    });
    connection.on('error', (failure) => this.#push(formatEvent.error(failure)));
    connection.on('close', (info) => this.#push(formatEvent.close(info)));
    connection.on('undelivered', ({ data, reason }) => this.#push(formatEvent.undelivered(data, reason)));
    connection.on('state', ({ state }) => this.#push(formatEvent.state(state)));
  }

  /** Resolves once the app has seen as many events as `expected`, or one that `expected` does not have there. */
  reached(expected: readonly string[]): Promise<void> {
    if (this.#settled(expected)) return Promise.resolve();
    return new Promise((resolve) => (this.#waiting = { expected, resolve }));
  }

  #push(event: string): void {
    this.events.push(event);
    if (this.#waiting && this.#settled(this.#waiting.expected)) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve();
    }
  }

  #settled(expected: readonly string[]): boolean {
    return this.events.length >= expected.length || this.events.some((event, i) => event !== expected[i]);
  }
}
