/**
 * Diagrams of a statechart, drawn from its definition: Mermaid for Markdown, DOT and SVG for
 * everything else.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';

export { describeMachine, stateNotes, toMermaid, type DiagramState, type DiagramTransition, type MachineDiagram } from './mermaid.js';
export { toDot } from './dot.js';
export { CONDITIONAL_MARK, describeActions } from './actions.js';

/**
 * Lays out `dot` with Graphviz's `dot` engine and returns the SVG.
 *
 * Graphviz runs as WebAssembly, so no system package is needed, and its layout is a pure
 * function of the input and the Graphviz version: the same DOT gives byte-identical SVG, which
 * is what lets a test compare the committed file with a fresh rendering.
 */
export async function renderSvg(dot: string): Promise<string> {
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
