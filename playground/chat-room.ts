/**
 * The chat of MDN's guide "Writing WebSocket client applications" (after its
 * websocket-chat sample server), on `ws` sockets: each client gets an `id`, picks a unique
 * `username` (a taken one is changed and the client told with `rejectusername`), and every
 * `message` goes to everyone with its sender's name; `userlist` follows each change.
 */
import type { RawData, WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from './protocol.js';

const MAX_NAME = 32;
const MAX_TEXT = 4_000;

interface Member {
  readonly id: number;
  name: string | undefined;
}

/** Everyone connected to the chat, and the name each signed in with. */
export class ChatRoom {
  readonly #members = new Map<WebSocket, Member>();
  #nextId = 1;

  /** Adds a connected client: it hears its id at once, then takes part until its socket closes. */
  join(socket: WebSocket): void {
    const member: Member = { id: this.#nextId++, name: undefined };
    this.#members.set(socket, member);
    send(socket, { type: 'id', id: member.id });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.#receive(socket, member, data);
    });
    socket.on('close', () => {
      this.#members.delete(socket);
      if (member.name !== undefined) this.#broadcastUserList();
    });
    // Dropped and refused clients are this server's daily bread: nothing to report.
    socket.on('error', () => {});
  }

  #receive(socket: WebSocket, member: Member, data: RawData): void {
    let message: Partial<ClientMessage> & { name?: unknown; text?: unknown };
    try {
      message = JSON.parse((data as Buffer).toString()) as typeof message;
    } catch {
      return; // MDN's example server ignores what it cannot read, and so does this one
    }
    switch (message.type) {
      case 'username':
        this.#rename(socket, member, cleanName(message.name));
        break;
      case 'message':
        if (typeof message.text !== 'string') return;
        this.#broadcast({
          type: 'message',
          id: member.id,
          name: member.name ?? `guest #${member.id}`,
          text: message.text.slice(0, MAX_TEXT),
          date: Date.now(),
        });
        break;
      default:
        break; // `filler` and anything unknown: read and dropped
    }
  }

  #rename(socket: WebSocket, member: Member, wanted: string): void {
    const name = this.#uniqueName(wanted, socket);
    member.name = name;
    if (name !== wanted) send(socket, { type: 'rejectusername', id: member.id, name });
    for (const [other] of this.#members) {
      if (other !== socket) send(other, { type: 'username', id: member.id, name, date: Date.now() });
    }
    this.#broadcastUserList();
  }

  /** `wanted`, or `wanted2`, `wanted3`... the first that nobody else has. */
  #uniqueName(wanted: string, self: WebSocket): string {
    const taken = new Set([...this.#members].filter(([socket, m]) => socket !== self && m.name !== undefined).map(([, m]) => m.name));
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted}${n}`;
    return name;
  }

  #broadcastUserList(): void {
    const users = [...this.#members.values()].flatMap((m) => (m.name === undefined ? [] : [m.name]));
    this.#broadcast({ type: 'userlist', users });
  }

  #broadcast(message: ServerMessage): void {
    for (const socket of this.#members.keys()) send(socket, message);
  }
}

function send(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

function cleanName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim().slice(0, MAX_NAME) : '';
  return name === '' ? 'guest' : name;
}
