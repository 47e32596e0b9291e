/**
 * The steps a memory property interleaves: the application's calls and the network's and
 * clock's moves. Each checks that it is possible in the socket's phase (the `MemorySocket`
 * throws on an impossible step) and checks again when it runs, since a transport report the
 * scheduler delivered in between may have changed that phase.
 */
import fc from 'fast-check';
import type { CloseCause } from '../../src/index.js';
import { build, describeClose, describePayload, invalidClose, payload, quote, validClose, type CloseArgsSpec, type PayloadSpec } from './arbitraries.js';
import type { MemoryWorld } from './world.js';

type Phase = MemoryWorld['socket']['phase'];

abstract class Step implements fc.AsyncCommand<MemoryWorld, MemoryWorld> {
  protected abstract readonly phases: readonly Phase[] | 'any';
  protected abstract act(world: MemoryWorld): void;
  abstract toString(): string;

  protected possible(world: MemoryWorld): boolean {
    return this.phases === 'any' || this.phases.includes(world.socket.phase);
  }

  check(world: Readonly<MemoryWorld>): boolean {
    return this.possible(world as MemoryWorld);
  }

  async run(_model: MemoryWorld, world: MemoryWorld): Promise<void> {
    world.rethrow();
    if (!this.possible(world)) return;
    this.act(world);
    world.observe();
    world.rethrow();
  }
}

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
  constructor(readonly protocol: string, readonly extensions: string) {
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
  constructor(readonly code: number | undefined, readonly reason: string) {
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

// --- time ---

type Advance = { readonly by: number } | { readonly toNextDue: -1 | 0 | 1 };

class AdvanceClock extends Step {
  protected readonly phases = 'any';
  constructor(readonly how: Advance) {
    super();
  }
  protected act(world: MemoryWorld): void {
    if ('by' in this.how) return world.advance(this.how.by);
    const next = world.clock.nextDue;
    if (next !== undefined) world.advance(Math.max(0, next - world.clock.now() + this.how.toNextDue));
  }
  toString(): string {
    if ('by' in this.how) return `clock advances(${this.how.by} ms)`;
    return `clock advances(to the next timeout ${['-1 ms', 'exactly', '+1 ms'][this.how.toNextDue + 1]})`;
  }
}

const serverCode = fc.oneof(fc.constant(1000), fc.constant(1001), fc.integer({ min: 3000, max: 4999 }));
const handshake = fc.tuple(fc.constantFrom('', 'chat.v2'), fc.constantFrom('', 'permessage-deflate'));
const budget = fc.oneof(fc.nat(24), fc.constant(Infinity));

/**
 * One step, weighted so that connections live long enough to send, write out and drain: sends
 * and writes dominate, and the moves that end a connection are rarer.
 */
export const step: fc.Arbitrary<fc.AsyncCommand<MemoryWorld, MemoryWorld>> = fc.oneof(
  { weight: 40, arbitrary: payload.map((spec) => new Send(spec)) },
  { weight: 5, arbitrary: validClose.map((args) => new Close(args)) },
  { weight: 3, arbitrary: invalidClose.map((args) => new Close(args)) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(42, null, undefined, {}, [1, 2], true).map((value) => new SendInvalid(value)) },
  { weight: 2, arbitrary: fc.constantFrom('arraybuffer' as const, 'blob' as const).map((type) => new SetBinaryType(type)) },
  { weight: 30, arbitrary: handshake.map(([protocol, extensions]) => new Accept(protocol, extensions)) },
  { weight: 2, arbitrary: fc.constantFrom<CloseCause>('refused', 'handshake-failed').map((cause) => new Refuse(cause)) },
  { weight: 5, arbitrary: fc.constant(new CompleteAbort()) },
  { weight: 2, arbitrary: fc.constantFrom<CloseCause>('transport-error', 'protocol-error', 'message-too-big').map((cause) => new Fail(cause)) },
  { weight: 8, arbitrary: fc.oneof(fc.string({ maxLength: 6 }), fc.array(fc.nat(255), { maxLength: 6 })).map((data) => new Deliver(data)) },
  { weight: 20, arbitrary: budget.map((bytes) => new Flush(bytes)) },
  { weight: 5, arbitrary: fc.constant(new ServerClose(undefined, '')) },
  { weight: 3, arbitrary: fc.tuple(serverCode, fc.string({ maxLength: 8 })).map(([code, reason]) => new ServerClose(code, reason)) },
  { weight: 2, arbitrary: fc.boolean().map((withError) => new Drop(withError)) },
  { weight: 6, arbitrary: fc.nat(40).map((by) => new AdvanceClock({ by })) },
  { weight: 3, arbitrary: fc.constantFrom<-1 | 0 | 1>(-1, 0, 1).map((toNextDue) => new AdvanceClock({ toNextDue })) },
);
