/**
 * Statechart diagrams drawn from a machine definition, so they cannot drift from the code.
 *
 * `describeMachine` reads the `StateNode` tree once into a small model that both the Mermaid
 * and the DOT renderer print, so the two diagrams always show the same states and transitions.
 * It walks `machine.root` directly rather than `toDirectedGraph` from `xstate/graph` because
 * the edges need the guards, which that graph drops.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { describeActions } from './actions.js';

/** A state of the diagram; children are in definition order, which keeps the output stable. */
export interface DiagramState {
  /** The `StateNode` id (`connection.closing.draining`): unique, so renderers key on it. */
  readonly id: string;
  /** The name the state has in its parent's `states`: what the diagram shows. */
  readonly key: string;
  readonly type: AnyStateNode['type'];
  /** Ids of the children entered first: one for a compound state, none otherwise. */
  readonly initial: readonly string[];
  readonly children: readonly DiagramState[];
  /** Its entry and exit actions, named (see `describeActions`). */
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  /**
   * A state the machine passes through without resting, deciding between its `always`
   * transitions (the last of them unguarded): a choice, drawn as one.
   */
  readonly transient: boolean;
}

/** One arrow; a targetless transition is a self-loop, since it runs actions without leaving. */
export interface DiagramTransition {
  readonly source: string;
  readonly target: string;
  /** The event type, then the guard in brackets: `socket.open [isCurrentAttempt]`. */
  readonly label: string;
}

/** What both renderers draw: the machine id, its top-level states and every transition. */
export interface MachineDiagram {
  readonly id: string;
  readonly states: readonly DiagramState[];
  readonly initial: readonly string[];
  readonly transitions: readonly DiagramTransition[];
}

/**
 * Reads the states and transitions of `machine` in definition order.
 *
 * @throws Error if a state uses `invoke` or `after`: their behaviour lives in actors and
 *   timers this model has no arrow for, and a diagram that silently dropped it would mislead.
 */
export function describeMachine(machine: AnyStateMachine): MachineDiagram {
  const transitions: DiagramTransition[] = [];
  const visit = (node: AnyStateNode): DiagramState => {
    if (node.invoke.length > 0 || node.after.length > 0) {
      throw new Error(`State ${node.id} uses invoke or after, which these diagrams cannot draw`);
    }
    const groups = [...node.transitions];
    // Eventless transitions are taken as soon as their guard holds; `always` is their name in the config.
    if (node.always) groups.push(['always', node.always]);
    for (const [eventType, candidates] of groups) {
      let guarded = false;
      candidates.forEach(({ target, guard }, index) => {
        // An unguarded candidate after guarded ones is taken only when they all fail: say so.
        const condition = guard === undefined ? (guarded ? 'else' : undefined) : guardText(guard);
        guarded ||= guard !== undefined;
        // A choice between eventless transitions is read in order: number them.
        const name = eventType === 'always' && candidates.length > 2 ? `always #${index + 1}` : eventType;
        const label = condition === undefined ? name : `${name} [${condition}]`;
        for (const to of target ?? [node]) transitions.push({ source: node.id, target: to.id, label });
      });
    }
    const always = node.always ?? [];
    return {
      id: node.id,
      key: node.key,
      type: node.type,
      initial: node.initial.target.map((child) => child.id),
      children: Object.values(node.states).map(visit),
      entry: describeActions(node.entry),
      exit: describeActions(node.exit),
      transient: node.transitions.size === 0 && always.length > 0 && always.at(-1)!.guard === undefined,
    };
  };
  const root = visit(machine.root);
  // Transitions on the root apply in every state; drawing the root as a box gives them a source.
  const drawRoot = transitions.some(({ source, target }) => source === root.id || target === root.id);
  return drawRoot
    ? { id: root.id, states: [root], initial: [root.id], transitions }
    : { id: root.id, states: root.children, initial: root.initial, transitions };
}

/** Names a guard; `and`/`or`/`not` are functions that keep their operands in `guards`. */
function guardText(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const { name, guards } = guard as { name: string; guards?: unknown[] };
    const operand = (g: unknown): string => (isCombinator(g) ? `(${guardText(g)})` : guardText(g));
    if (guards && name === 'not') return `!${guards.map(operand).join('')}`;
    if (guards && (name === 'and' || name === 'or')) return guards.map(operand).join(name === 'and' ? ' && ' : ' || ');
    return name || 'inline guard';
  }
  return String((guard as { type?: unknown }).type);
}

function isCombinator(guard: unknown): boolean {
  return typeof guard === 'function' && 'guards' in guard && (guard.name === 'and' || guard.name === 'or');
}

/**
 * Draws `machine` as a Mermaid `stateDiagram-v2`, titled with the machine id.
 *
 * Each state is declared inside its parent's block before any arrow names it, because Mermaid
 * puts a state in the block where it first appears. Each arrow goes in the innermost block that
 * holds both its ends, which keeps arrows between siblings inside their composite state.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const diagram = describeMachine(machine);
  const all = flatten(diagram.states);
  const parentOf = new Map(all.flatMap((s) => s.children.map((c) => [c.id, s.id] as const)));
  // Mermaid ids are global and must be plain words that are not keywords: keep a key that
  // is all three; give the rest a numbered id (which no kept key can equal) and a label.
  const keyCount = new Map<string, number>();
  for (const s of all) keyCount.set(s.key, (keyCount.get(s.key) ?? 0) + 1);
  const usable = (key: string): boolean => /^[A-Za-z]\w*$/.test(key) && keyCount.get(key) === 1 && !MERMAID_KEYWORDS.has(key.toLowerCase());
  const mermaidId = new Map(all.map((s, i) => [s.id, usable(s.key) ? s.key : `_${i}`]));
  const idOf = (stateId: string): string => mermaidId.get(stateId) ?? stateId;

  const ancestors = (stateId: string): string[] => {
    const chain: string[] = [];
    for (let p = parentOf.get(stateId); p !== undefined; p = parentOf.get(p)) chain.push(p);
    return chain;
  };
  const scopeOf = ({ source, target }: DiagramTransition): string | undefined => {
    const targetAncestors = new Set(ancestors(target));
    return ancestors(source).find((a) => targetAncestors.has(a));
  };

  const lines = ['---', `title: ${diagram.id}`, '---', 'stateDiagram-v2'];
  const block = (parent: DiagramState | undefined, depth: number): void => {
    const pad = '  '.repeat(depth);
    for (const i of parent?.initial ?? diagram.initial) lines.push(`${pad}[*] --> ${idOf(i)}`);
    (parent?.children ?? diagram.states).forEach((s, index) => {
      // Mermaid separates the regions of a parallel state with `--`.
      if (index > 0 && parent?.type === 'parallel') lines.push(`${pad}--`);
      const id = idOf(s.id);
      // Mermaid ends a label at the first `"` whatever precedes it, so write the entity instead.
      const head = id === s.key ? `state ${id}` : `state "${s.key.replaceAll('"', '#quot;')}" as ${id}`;
      if (s.children.length > 0) {
        lines.push(`${pad}${head} {`);
        block(s, depth + 1);
        lines.push(`${pad}}`);
      } else {
        lines.push(id === s.key ? `${pad}${id}` : `${pad}${head}`);
      }
      // Descriptions, one line each under the name: what the state does on its way in and out.
      for (const line of stateNotes(s)) lines.push(`${pad}${id} : ${line}`);
      if (s.type === 'final') lines.push(`${pad}${id} --> [*]`);
    });
    for (const t of diagram.transitions) {
      if (scopeOf(t) === parent?.id) lines.push(`${pad}${idOf(t.source)} --> ${idOf(t.target)} : ${t.label}`);
    }
  };
  block(undefined, 1);
  return `${lines.join('\n')}\n`;
}

/** What a state's box says under its name: that it is a choice, and its entry and exit actions. */
export function stateNotes(state: DiagramState): string[] {
  return [
    ...(state.transient ? ['a choice, taken by the first always #n [guard] that holds'] : []),
    ...(state.entry.length > 0 ? [`entry / ${state.entry.join(', ')}`] : []),
    ...(state.exit.length > 0 ? [`exit / ${state.exit.join(', ')}`] : []),
  ];
}

/** Words Mermaid 11's state-diagram lexer takes as keywords, in any case, where an id is due. */
const MERMAID_KEYWORDS = new Set(['class', 'classdef', 'default', 'note', 'scale', 'state', 'style']);

/** Every state of the tree, parents before children, in definition order. */
function flatten(states: readonly DiagramState[]): DiagramState[] {
  return states.flatMap((s) => [s, ...flatten(s.children)]);
}
