/**
 * Every implementation the benchmark drives, by the name the report uses. The memory workload's
 * child processes look adapters up here by name.
 */
import type { Adapter } from './adapter.js';
import { partysocket, reconnectingWebSocket } from './peers.js';
import { CONTROL, RAW, RAW_EVENT_TARGET, rawWsEventTarget, rawWsOn } from './raw-ws.js';
import { reliableSession } from './reliable.js';
import { connectionOn, managedWebSocket } from './statesock.js';

export const raw = rawWsOn(RAW);
/** A second raw `ws` socket, run like any other implementation: its ratio to `raw` should be 1. */
export const control = rawWsOn(CONTROL);
export const rawEventTarget = rawWsEventTarget(RAW_EVENT_TARGET);
export const ours = [connectionOn, managedWebSocket];
export const peers = [partysocket, reconnectingWebSocket];
/** Reliable sessions: run where their cost per message and per idle session is the question (burst, inbound, echo, 1,000 connections). */
export const reliable = reliableSession;

export const ALL_ADAPTERS: readonly Adapter[] = [raw, control, rawEventTarget, ...ours, ...peers, reliable];

export function adapterNamed(name: string): Adapter {
  const adapter = ALL_ADAPTERS.find((candidate) => candidate.name === name);
  if (adapter === undefined) throw new Error(`no implementation named ${name}`);
  return adapter;
}
