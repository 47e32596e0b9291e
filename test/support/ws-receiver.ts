/**
 * What a `ws` server makes of client frames: its own `Receiver`, which refuses unmasked frames,
 * bad lengths and invalid UTF-8. The oracle for the frames the `ws` transport writes itself.
 * Loaded through `require`, so that a suite that mocks `ws` still reads frames with the real one.
 * `@types/ws` does not declare the `Receiver`: the little of it used here is typed below.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { setImmediate as nextTask } from 'node:timers/promises';

interface WsReceiver extends EventEmitter {
  write(chunk: Buffer, callback: () => void): boolean;
}

const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => WsReceiver;
};

/** A message as received: text or binary, and its bytes in base64 (compared as one string, not byte by byte). */
export interface ReceivedMessage {
  readonly text: boolean;
  readonly bytes: string;
}

/** The messages a `ws` server reads in `chunks`, in order, and the error it refuses them with, if any. */
export async function readFrames(chunks: readonly Buffer[]): Promise<{ messages: ReceivedMessage[]; error: Error | undefined }> {
  const messages: ReceivedMessage[] = [];
  let error: Error | undefined;
  const receiver = new Receiver({ isServer: true, maxPayload: 0 });
  receiver.on('message', (data: Buffer, isBinary: boolean) => messages.push({ text: !isBinary, bytes: data.toString('base64') }));
  receiver.on('error', (failure: Error) => (error = failure));
  for (const chunk of chunks) await new Promise<void>((resolve) => receiver.write(chunk, resolve));
  await nextTask(); // ws may emit what it parsed a task later
  return { messages, error };
}
