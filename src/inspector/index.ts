/**
 * `statesock/inspector`: the `<statesock-inspector>` element, which shows the page's connections
 * with their statechart, current state, log, queue and `bufferedAmount`, offline.
 *
 * Importing it records every connection created from then on (the core's creation hook), so the
 * element shows connections created before it; and defines the element, where there is a DOM.
 * An application that does not import it pays nothing: no registry, no hook, no bytes.
 */
import { StatesockInspector } from './element.js';
import { trackConnections } from './registry.js';

// Where there is no DOM (server rendering), there is nothing to show: nothing is recorded.
if (typeof customElements !== 'undefined') {
  trackConnections();
  if (customElements.get('statesock-inspector') === undefined) customElements.define('statesock-inspector', StatesockInspector);
}

export { StatesockInspector, MAX_ENDED } from './element.js';
export { MAX_LOG_LINES, type LogKind, type LogLine } from './record.js';
