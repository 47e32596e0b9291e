/**
 * The machine's diagram in the page: the committed Graphviz SVG (`diagrams/connection.svg`),
 * inlined unchanged, with the current state's node marked by a class (`current`; its parent
 * cluster, if any, `active`) and the last transition's edge by another (`taken`). Nodes are found
 * by their `<title>`, which Graphviz sets to the state's id (`connection.closing.draining`).
 */
import type { ConnectionStateName } from '../../src/index.browser.js';

/** The classes this module adds; removing them gives back the SVG as served. */
export const HIGHLIGHT_CLASSES = ['current', 'active', 'taken'] as const;

export interface Diagram {
  /** Marks `state` as the current state. */
  showState(state: ConnectionStateName): void;
  /** Marks the edge the machine just took from `from` to `to` on `eventType`, if the diagram has one. */
  showTransition(from: string, to: string, eventType: string): void;
}

/** Fetches the SVG at `url` and puts it in `container`. */
export async function loadDiagram(container: HTMLElement, url: string): Promise<Diagram> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const parsed = new DOMParser().parseFromString(await response.text(), 'image/svg+xml');
  const svg = document.importNode(parsed.documentElement, true);
  container.replaceChildren(svg);

  const byTitle = new Map<string, SVGGElement>();
  for (const group of svg.querySelectorAll<SVGGElement>('g.node, g.cluster, g.edge')) {
    const title = group.querySelector(':scope > title')?.textContent;
    if (title) byTitle.set(title, group);
  }
  const mark = (className: string, groups: (SVGGElement | undefined)[]) => {
    for (const element of svg.querySelectorAll(`.${className}`)) element.classList.remove(className);
    for (const group of groups) group?.classList.add(className);
  };

  return {
    showState(state) {
      const [parent] = state.split('.');
      const nested = state.includes('.');
      mark('current', [byTitle.get(`connection.${state}`)]);
      mark('active', nested ? [byTitle.get(`cluster_connection.${parent}`), byTitle.get(`connection.${parent}`)] : []);
    },
    showTransition(from, to, eventType) {
      // An edge may be drawn from or to a compound state rather than its child: try the exact
      // states first, then their ancestors, and prefer the edge labelled with the event.
      const candidates = ancestry(from).flatMap((source) =>
        ancestry(to).map((target) => byTitle.get(`connection.${source}->connection.${target}`)),
      );
      const edges = candidates.filter((edge): edge is SVGGElement => edge !== undefined);
      const labelled = edges.find((edge) =>
        [...edge.querySelectorAll('text')].some((text) => text.textContent.split(' ')[0] === eventType),
      );
      if (from === to && labelled === undefined) return; // an event that changed nothing
      mark('taken', [labelled ?? edges[0]]);
    },
  };
}

/** `closing.draining` → `['closing.draining', 'closing']`. */
function ancestry(state: string): string[] {
  const parts = state.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}
