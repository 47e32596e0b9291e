/**
 * The steps a memory property interleaves: the application's calls and the network's moves on
 * the newest socket; the device's and the clock's are in `device-steps.ts`. `step` weighs them
 * all together.
 */
import fc from 'fast-check';
import type { CloseCause } from '../../src/index.js';
import {
  build,
  describeClose,
  describePayload,
  invalidClose,
  payload,
  quote,
  validClose,
  type CloseArgsSpec,
  type PayloadSpec,
} from './arbitraries.js';
import { AdvanceClock, deviceMoves } from './device-steps.js';
import { Step } from './step.js';
import type { MemoryWorld } from './world.js';

// --- the application ---

class Send extends Step {
  protected readonly phases = 'any';
  constructor(readonly spec: PayloadSpec) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.send(build(this.spec));
  }
  toString(): string {
    return `send(${describePayload(this.spec)})`;
  }
}

class Close extends Step {
  protected readonly phases = 'any';
  constructor(readonly args: CloseArgsSpec) {
    super();
  }
  protected act(world: MemoryWorld): void {
    const { expected } = this.args;
    if ('throws' in expected) world.misuse(() => world.connection.close(this.args.code, this.args.reason), expected.throws);
    else world.close(this.args.code, this.args.reason, expected);
  }
  toString(): string {
    return describeClose(this.args);
  }
}

class Abort extends Step {
  protected readonly phases = 'any';
  protected act(world: MemoryWorld): void {
    world.abort();
  }
  toString(): string {
    return 'signal aborts';
  }
}

class SendInvalid extends Step {
  protected readonly phases = 'any';
  constructor(readonly value: unknown) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.misuse(() => world.connection.send(this.value as string), 'TypeError');
  }
  toString(): string {
    return `send(${fc.stringify(this.value)}) [invalid]`;
  }
}

class SetBinaryType extends Step {
  protected readonly phases = 'any';
  constructor(readonly type: 'arraybuffer' | 'blob') {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.connection.binaryType = this.type;
    if (world.socket.binaryType !== this.type) world.note(`binaryType ${this.type} did not reach the socket (${world.socket.binaryType})`);
  }
  toString(): string {
    return `binaryType = ${this.type}`;
  }
}

// --- the network ---

class Accept extends Step {
  protected readonly phases = ['connecting'] as const;
  constructor(
    readonly protocol: string,
    readonly extensions: string,
  ) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.socket.accept(this.protocol, this.extensions);
  }
  toString(): string {
    return `server accepts(${JSON.stringify(this.protocol)}, ${JSON.stringify(this.extensions)})`;
  }
}

class Refuse extends Step {
  protected readonly phases = ['connecting'] as const;
  constructor(readonly cause: CloseCause) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.socket.refuse(this.cause, `simulated ${this.cause}`);
  }
  toString(): string {
    return `server refuses(${this.cause})`;
  }
}

class CompleteAbort extends Step {
  protected readonly phases = ['connecting'] as const;
  protected override possible(world: MemoryWorld): boolean {
    return super.possible(world) && world.socket.closeRequest !== undefined;
  }
  protected act(world: MemoryWorld): void {
    world.socket.completeAbort();
  }
  toString(): string {
    return 'abort completes';
  }
}

class Fail extends Step {
  protected readonly phases = ['connecting', 'open', 'closing'] as const;
  constructor(readonly cause: CloseCause) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.socket.fail(this.cause, `simulated ${this.cause}`);
  }
  toString(): string {
    return `transport error(${this.cause})`;
  }
}

class Deliver extends Step {
  protected readonly phases = ['open'] as const;
  constructor(readonly data: string | number[]) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.socket.deliver(typeof this.data === 'string' ? this.data : new Uint8Array(this.data).buffer);
  }
  toString(): string {
    return `server sends(${typeof this.data === 'string' ? quote(this.data) : `${this.data.length} bytes`})`;
  }
}

class Flush extends Step {
  protected readonly phases = ['open', 'closing'] as const;
  constructor(readonly budget: number) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.flush(this.budget);
  }
  toString(): string {
    return `socket writes out(${this.budget === Infinity ? 'all' : `${this.budget} bytes`})`;
  }
}

class ServerClose extends Step {
  protected readonly phases = ['open', 'closing'] as const;
  /** `undefined`: the server echoes the client's close code and reason. */
  constructor(
    readonly code: number | undefined,
    readonly reason: string,
  ) {
    super();
  }
  protected act(world: MemoryWorld): void {
    if (this.code === undefined) world.socket.completeClose();
    else world.socket.completeClose(this.code, this.reason);
  }
  toString(): string {
    return this.code === undefined ? 'closing handshake completes' : `server closes(${this.code}, ${quote(this.reason)})`;
  }
}

class Pong extends Step {
  protected readonly phases = ['open'] as const;
  protected act(world: MemoryWorld): void {
    world.socket.pong();
  }
  toString(): string {
    return 'server pongs';
  }
}

class Drop extends Step {
  protected readonly phases = ['connecting', 'open', 'closing'] as const;
  constructor(readonly withError: boolean) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.socket.drop({ withError: this.withError });
  }
  toString(): string {
    return `connection drops(${this.withError ? 'with an error' : 'silently'})`;
  }
}

/**
 * Codes a server may send (RFC 6455 §7.4.1; 1004-1006 and 1015 never go on the wire): the
 * default policy retries some (1001, 1011-1014) and rules the others final.
 */
const serverCode = fc.oneof(
  fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014),
  fc.integer({ min: 3000, max: 4999 }),
);
const handshake = fc.tuple(fc.constantFrom('', 'chat.v2'), fc.constantFrom('', 'permessage-deflate'));
const budget = fc.oneof(fc.nat(24), fc.constant(Infinity));

/**
 * One step, weighted so that attempts live long enough to send, write out, drain and ping, yet
 * the network fails often enough that most runs reconnect, some several times: sends, writes
 * and accepts dominate, faults and time come next, and close() is rare, since it ends all.
 */
export const step: fc.Arbitrary<fc.AsyncCommand<MemoryWorld, MemoryWorld>> = fc.oneof(
  { weight: 30, arbitrary: payload.map((spec) => new Send(spec)) },
  { weight: 2, arbitrary: validClose.map((args) => new Close(args)) },
  { weight: 2, arbitrary: invalidClose.map((args) => new Close(args)) },
  { weight: 1, arbitrary: fc.constant(new Abort()) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(42, null, undefined, {}, [1, 2], true).map((value) => new SendInvalid(value)) },
  { weight: 2, arbitrary: fc.constantFrom('arraybuffer' as const, 'blob' as const).map((type) => new SetBinaryType(type)) },
  { weight: 30, arbitrary: handshake.map(([protocol, extensions]) => new Accept(protocol, extensions)) },
  { weight: 4, arbitrary: fc.constantFrom<CloseCause>('refused', 'handshake-failed').map((cause) => new Refuse(cause)) },
  { weight: 4, arbitrary: fc.constant(new CompleteAbort()) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<CloseCause>('transport-error', 'protocol-error', 'message-too-big').map((cause) => new Fail(cause)),
  },
  { weight: 8, arbitrary: fc.oneof(fc.string({ maxLength: 6 }), fc.array(fc.nat(255), { maxLength: 6 })).map((data) => new Deliver(data)) },
  { weight: 15, arbitrary: budget.map((bytes) => new Flush(bytes)) },
  { weight: 4, arbitrary: fc.constant(new ServerClose(undefined, '')) },
  { weight: 5, arbitrary: fc.tuple(serverCode, fc.string({ maxLength: 8 })).map(([code, reason]) => new ServerClose(code, reason)) },
  { weight: 4, arbitrary: fc.boolean().map((withError) => new Drop(withError)) },
  { weight: 6, arbitrary: fc.constant(new Pong()) },
  { weight: 8, arbitrary: fc.nat(40).map((by) => new AdvanceClock({ by })) },
  { weight: 8, arbitrary: fc.constantFrom<-1 | 0 | 1>(-1, 0, 1).map((toNextDue) => new AdvanceClock({ toNextDue })) },
  { weight: 5, arbitrary: deviceMoves },
);
