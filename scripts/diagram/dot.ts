/**
 * The same statechart as `toMermaid`, as Graphviz DOT, so it can be rendered to SVG offline.
 */
import type { AnyStateMachine } from 'xstate';
import { CONDITIONAL_MARK } from './actions.js';
import { describeMachine, stateNotes, type DiagramState } from './mermaid.js';

/**
 * Draws `machine` as a Graphviz `digraph`: atomic states are rounded boxes, compound states
 * are clusters, initial states are pointed at by a black dot, as in UML.
 *
 * Graphviz cannot end an edge on a cluster, so a compound state is also a node inside its
 * cluster, showing its name: arrows to and from the state attach there, and a self-loop or an
 * arrow into one of its own children, which `ltail`/`lhead` clipping cannot draw, still has a
 * clear source. Node names are the `StateNode` ids, which are unique; every edge is written at
 * the top level because an edge inside a cluster would pull its ends into that cluster.
 */
export function toDot(machine: AnyStateMachine): string {
  const diagram = describeMachine(machine);
  const lines = [
    `digraph ${quote(diagram.id)} {`,
    // The padding leaves room for a viewer whose stand-in for Helvetica is wider than the
    // metrics Graphviz laid the labels out with.
    `  label="${escape(diagram.id)}\\n(${CONDITIONAL_MARK} after an action: only under a condition)"; labelloc=t; fontname="Helvetica"; pad=0.3;`,
    // The wide margin leaves room for the same wider stand-in in the states' notes.
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12, margin="0.3,0.08"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const initialArrows = (dot: string, initial: readonly string[], pad: string): void => {
    if (initial.length > 0) lines.push(`${pad}${quote(dot)} [shape=point, width=0.15, label=""];`);
    for (const target of initial) lines.push(`${pad}${quote(dot)} -> ${quote(target)};`);
  };
  const declare = (states: readonly DiagramState[], depth: number): void => {
    const pad = '  '.repeat(depth);
    for (const s of states) {
      const final = s.type === 'final' ? ', peripheries=2' : '';
      if (s.children.length === 0) {
        // The name centred, its notes left-aligned under it; a choice is a diamond.
        const notes = stateNotes(s).filter((note) => !s.transient || !note.startsWith('a choice'));
        const label = [`${escape(s.key)}\\n`, ...notes.map((note) => `${escape(note)}\\l`)].join('');
        lines.push(`${pad}${quote(s.id)} [label="${label}"${s.transient ? ', shape=diamond, style=""' : ''}${final}];`);
        continue;
      }
      // Parallel regions are all active at once; the dashed border tells them from a compound state.
      const style = s.type === 'parallel' ? 'rounded,dashed' : 'rounded';
      lines.push(`${pad}subgraph ${quote(`cluster_${s.id}`)} {`, `${pad}  label=""; style=${quote(style)};`);
      lines.push(`${pad}  ${quote(s.id)} [label=${quote(s.key)}, shape=plaintext, fontname="Helvetica-Bold"];`);
      // The dot's name extends the state's id with a segment no state key is likely to be.
      initialArrows(`${s.id}.[*]`, s.initial, `${pad}  `);
      // An invisible edge ranks the name above the initial dot, at the top of the cluster.
      if (s.initial.length > 0) lines.push(`${pad}  ${quote(s.id)} -> ${quote(`${s.id}.[*]`)} [style=invis];`);
      declare(s.children, depth + 1);
      lines.push(`${pad}}`);
    }
  };
  initialArrows('[*]', diagram.initial, '  ');
  declare(diagram.states, 1);
  // One edge per pair of states, its labels stacked: parallel edges and several self-loops on
  // one node make Graphviz draw labels on top of each other.
  const labels = new Map<string, string[]>();
  for (const t of diagram.transitions) {
    const edge = `${quote(t.source)} -> ${quote(t.target)}`;
    labels.set(edge, [...(labels.get(edge) ?? []), t.label]);
  }
  for (const [edge, text] of labels) lines.push(`  ${edge} [label="${text.map(escape).join('\\n')}"];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A DOT double-quoted string. */
function quote(text: string): string {
  return `"${escape(text)}"`;
}

/** Escapes text for a DOT double-quoted string, where only `"` and `\` are special. */
function escape(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
