/**
 * Every conformance case, by topic. Each runs against `ManagedWebSocket` in Node and, in a
 * Chromium page, against the platform `WebSocket` and `ManagedWebSocket`.
 */
import type { ConformanceCase } from '../env.js';
import { closeEventCases } from './close-event.js';
import { closeMethodCases } from './close-method.js';
import { handlerCases } from './handlers.js';
import { interfaceCases } from './interface.js';
import { messageCases } from './messages.js';
import { protocolCases } from './protocols.js';
import { sendCases } from './send.js';
import { urlCases } from './url.js';

export const cases: readonly ConformanceCase[] = [
  ...urlCases,
  ...protocolCases,
  ...interfaceCases,
  ...handlerCases,
  ...sendCases,
  ...messageCases,
  ...closeMethodCases,
  ...closeEventCases,
];

// Names identify cases across the Node/page boundary and in reports: they must be unique.
const seen = new Set<string>();
for (const { name } of cases) {
  if (seen.has(name)) throw new Error(`Two conformance cases are named ${JSON.stringify(name)}`);
  seen.add(name);
}

/** The case named `name`. */
export function caseNamed(name: string): ConformanceCase {
  const found = cases.find((testCase) => testCase.name === name);
  if (found === undefined) throw new Error(`No conformance case is named ${JSON.stringify(name)}`);
  return found;
}
