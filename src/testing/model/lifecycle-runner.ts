/**
 * Runs one generated path against a real `Connection`: each step becomes a real stimulus (a
 * call on the connection, time on the simulated clock up to the due time of the timer that
 * fires, an `online` or `offline` event on the environment the connection listens to, or
 * something the driver makes the socket's world do), and after each the runner compares what
 * the app can observe with what the oracle derived from the machine. It stops at the first
 * difference, since later steps would assume a state the connection is not in.
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
import { connectionMachine } from '../../../machines/connection.machine.js';
import type { ConnectionInput } from '../../../machines/connection.types.js';
import { createConnection, type Connection } from '../../connection.js';
import type { ConnectionOptions } from '../../options.js';
import type { Transport } from '../../transports/transport.js';
import { checkInvariants } from './lifecycle-invariants.js';
import type { AppEvent } from './effect-model.js';
import {
  MODEL_BACKOFF,
  MODEL_RANDOMS,
  MODEL_TIMEOUTS,
  cycle,
  firedTimer,
  isCurrent,
  payloadOf,
  planPath,
  reportMayBePending,
  type LifecycleMachine,
  type ModelPath,
  type PlannedStep,
} from './lifecycle-model.js';
import { LifecycleOracle, formatClose, formatEvent, type StepView } from './lifecycle-oracle.js';
import type { SimulatedClock } from '../simulated-clock.js';
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
  /** The environment the connection listens to for `online`, `offline` and `visibilitychange`. */
  readonly environment: EventTarget;
  /** What the oracle predicts, up to the step where the run stopped. */
  readonly expected: StepView[];
  /** What the app could observe, step by step. */
  readonly observed: StepView[];
  /** Broken properties that hold whatever the machine says (see `lifecycle-invariants.ts`). */
  readonly violations: string[];
  /** Every event the connection emitted. */
  readonly events: readonly string[];
}

/**
 * The connection options a path runs with: its input's bounds, reconnection and heartbeat, the
 * model's timeouts and backoff (its jitter drawn from a fixed cycle of randoms, so the oracle
 * knows each wait), an `environment` the path dispatches `online` and `offline` on, and the
 * driver's world.
 */
export function pathOptions(
  driver: LifecycleDriver,
  transport: Transport,
  environment: EventTarget,
  input: ConnectionInput,
): ConnectionOptions {
  return {
    ...driver.options,
    transport,
    clock: driver.clock,
    environment,
    maxQueuedMessages: input.maxQueuedMessages,
    maxQueuedBytes: input.maxQueuedBytes,
    reconnect: input.reconnect,
    maxRetries: input.maxRetries,
    resendUnconfirmed: input.resendUnconfirmed,
    connectTimeout: MODEL_TIMEOUTS.connect,
    drainTimeout: MODEL_TIMEOUTS.drain,
    closeTimeout: MODEL_TIMEOUTS.close,
    minStableTime: MODEL_TIMEOUTS.stable,
    // The heartbeat runs where the transport has protocol pings, as both drivers' do.
    heartbeatInterval: input.heartbeat ? MODEL_TIMEOUTS.ping : 0,
    heartbeatTimeout: MODEL_TIMEOUTS.pong,
    minReconnectDelay: MODEL_BACKOFF.minDelay,
    maxReconnectDelay: MODEL_BACKOFF.maxDelay,
    reconnectFactor: MODEL_BACKOFF.factor,
    reconnectJitter: MODEL_BACKOFF.jitter,
    random: cycle(MODEL_RANDOMS),
  };
}

export async function runPath(path: ModelPath, driver: LifecycleDriver, options: RunOptions = {}): Promise<PathRun> {
  const plan = planPath(options.machine ?? connectionMachine, path);
  const oracle = new LifecycleOracle(plan.start, plan.startOutcome);
  const tap: TapRecord = { handed: [], unsent: [], closes: [], pings: [] };
  let current = 0;
  const tapped = tapTransport(driver.transport, tap, () => current);
  const environment = new EventTarget();
  let created: Connection | undefined;
  const onTransitions = options.onTransitions;
  const connectionOptions: ConnectionOptions = {
    ...pathOptions(driver, options.wrap ? options.wrap(tapped, () => created!) : tapped, environment, path.input),
    ...(onTransitions && {
      inspect: (inspection: InspectionEvent) => {
        if (inspection.type === '@xstate.microstep')
          onTransitions((inspection as unknown as { _transitions: AnyTransitionDefinition[] })._transitions);
      },
    }),
  };
  const connection = (created = options.start ? options.start(connectionOptions) : createConnection(driver.url, connectionOptions));
  // The time timers run on: the clock's, without the time the device slept (which they sleep through).
  let slept = 0;
  const sleep = (ms: number): void => {
    driver.clock.sleep(ms);
    slept += ms;
  };
  const recorder = new Recorder(connection, () => driver.clock.now() - slept);
  driver.attach(connection);
  // The connection announces its initial state in a microtask: the start is after it.
  await driver.settle();

  const expected = [oracle.start];
  const observed = [observe(connection, driver.clock, recorder, tap, 'start')];
  const sent: string[] = [];
  const eventsAfterStep = [recorder.events.length];
  let closeCalled: number | undefined;
  for (const step of plan.steps) {
    if (!sameView(expected.at(-1)!, observed.at(-1)!)) break;
    current += 1;
    const data = step.event.type === 'user.send' ? payloadOf(step.before.sent, step.event.bytes) : undefined;
    if (data !== undefined) sent.push(data);
    const view = oracle.expect(step);
    if (step.event.type === 'socket.open') recorder.bufferedBefore = connection.bufferedAmount;
    if (step.event.type === 'user.close') closeCalled ??= recorder.events.length;
    const outcome = perform(step, data, { connection, driver, environment, sleep });
    if (outcome !== undefined) {
      await outcome;
      await recorder.reached(view.events);
    }
    if (!reportMayBePending(step.after)) await driver.settle();
    expected.push(view);
    observed.push(observe(connection, driver.clock, recorder, tap, view.step));
    eventsAfterStep.push(recorder.events.length);
  }
  const violations = checkInvariants({
    events: recorder.events,
    times: recorder.times,
    eventsAfterStep,
    closeCalled,
    atOpen: recorder.atOpen,
    sent,
    tap,
    closed: connection.readyState === 3,
    maxRetries: path.input.maxRetries,
    minStableTime: MODEL_TIMEOUTS.stable,
  });
  return { connection, environment, expected, observed, violations, events: recorder.events };
}

/** What a step acts on: the connection, the driver's world, the environment and the device's sleep. */
interface Stage {
  readonly connection: Connection;
  readonly driver: LifecycleDriver;
  readonly environment: EventTarget;
  readonly sleep: (ms: number) => void;
}

function perform(step: PlannedStep, data: string | undefined, { connection, driver, environment, sleep }: Stage): void | Promise<void> {
  const { event, before } = step;
  if ('attempt' in event && !isCurrent(before.machine, event)) {
    // A late report from an attempt the connection has left: its socket was dropped and its
    // timers cancelled, so none can make one; the event goes to the connection's actor
    // directly, as a late report from one would.
    connection.actor.send(event);
    return;
  }
  const timer = firedTimer(before, event);
  if (timer !== undefined) {
    // A wake from sleep: the device sleeps past the ping's interval, then its timer fires late.
    if (event.type === 'env.wake') sleep(MODEL_TIMEOUTS.ping + 1);
    // Time passes up to the timer's due time: it fires, and no other, since the model offers
    // only the next timer due.
    driver.clock.advance(timer.due - before.now);
    return;
  }
  switch (event.type) {
    case 'user.send':
      connection.send(data!);
      return;
    case 'user.close':
      void connection.close(event.code, event.reason);
      return;
    case 'env.wake':
      environment.dispatchEvent(new Event(event.reason === 'online' ? 'online' : 'visibilitychange'));
      return;
    case 'env.offline':
      environment.dispatchEvent(new Event('offline'));
      return;
    default:
      return driver.socket(step);
  }
}

function observe(connection: Connection, clock: SimulatedClock, recorder: Recorder, tap: TapRecord, step: string): StepView {
  return {
    step,
    state: connection.state,
    readyState: connection.readyState,
    queuedMessages: connection.queuedMessages,
    bufferedAmount: connection.bufferedAmount,
    pendingTimers: clock.pendingTimers,
    nextTimerIn: clock.nextDue === undefined ? null : clock.nextDue - clock.now(),
    pings: tap.pings.length,
    settled: recorder.settled,
    events: [...recorder.events],
  };
}

export function sameView(a: StepView, b: StepView): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every event the connection emits, formatted as the oracle formats them, and how its `closed` promise settled. */
class Recorder {
  readonly events: string[] = [];
  /** When each event came, on the time timers run on. */
  readonly times: number[] = [];
  readonly atOpen: { queuedMessages: number; bufferedAmount: number; bufferedBefore: number }[] = [];
  bufferedBefore = 0;
  settled: string | null = null;
  readonly #now: () => number;
  #waiting: { expected: readonly string[]; resolve: () => void } | undefined;

  constructor(connection: Connection, now: () => number) {
    this.#now = now;
    connection.on('open', (payload) => {
      const { queuedMessages, bufferedAmount } = connection;
      this.atOpen.push({ queuedMessages, bufferedAmount, bufferedBefore: this.bufferedBefore });
      this.#push({ type: 'open', payload });
    });
    connection.on('error', (payload) => this.#push({ type: 'error', payload }));
    connection.on('close', (payload) => this.#push({ type: 'close', payload }));
    connection.on('reconnecting', (payload) => this.#push({ type: 'reconnecting', payload }));
    connection.on('giveup', (payload) => this.#push({ type: 'giveup', payload }));
    connection.on('undelivered', (payload) => this.#push({ type: 'undelivered', payload }));
    connection.on('state', (payload) => this.#push({ type: 'state', payload }));
    void connection.closed.then((info) => (this.settled = formatClose(info)));
  }

  /** Resolves once the app has seen as many events as `expected`, or one that `expected` does not have there. */
  reached(expected: readonly string[]): Promise<void> {
    if (this.#settled(expected)) return Promise.resolve();
    return new Promise((resolve) => (this.#waiting = { expected, resolve }));
  }

  #push(event: AppEvent): void {
    this.events.push(formatEvent(event));
    this.times.push(this.#now());
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
