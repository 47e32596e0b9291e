/**
 * The machine's diagram in an inspector: the Graphviz SVG of `diagrams/connection.svg`, embedded
 * at build time (`connection-diagram.ts`) and inlined unchanged, with the current state's node
 * marked by a class (`current`; its parent cluster and the parent's name node, if any, `active`)
 * and the edges of the machine's last step by another (`taken`). Nodes are found by their `<title>`, which
 * Graphviz sets to the state's id (`connection.closing.draining`).
 */
import type { ConnectionStateName } from '../connection-events.js';
import { CONNECTION_SVG } from './connection-diagram.js';

/** The classes this module adds; removing them gives back the SVG as drawn. */
export const HIGHLIGHT_CLASSES = ['current', 'active', 'taken'] as const;

/** The parsed SVG, cloned for each diagram: parsed once per page, on first use. */
let template: Element | undefined;

export class Diagram {
  readonly svg: SVGSVGElement;
  readonly #byTitle = new Map<string, SVGGElement>();

  constructor(document: Document) {
    template ??= new DOMParser().parseFromString(CONNECTION_SVG, 'image/svg+xml').documentElement;
    this.svg = document.importNode(template, true) as SVGSVGElement;
    for (const group of this.svg.querySelectorAll<SVGGElement>('g.node, g.cluster, g.edge')) {
      const title = group.querySelector(':scope > title')?.textContent;
      if (title) this.#byTitle.set(title, group);
    }
  }

  /** Marks `state` as the current state; returns its node. */
  showState(state: ConnectionStateName): SVGGElement | undefined {
    const [parent] = state.split('.');
    const nested = state.includes('.');
    const node = this.#byTitle.get(`connection.${state}`);
    this.#mark('current', [node]);
    this.#mark('active', nested ? [this.#byTitle.get(`cluster_connection.${parent}`), this.#byTitle.get(`connection.${parent}`)] : []);
    return node;
  }

  /** Marks the edges the machine's last step took (titled `connection.open->connection.attemptEnded`); none leaves the last step's marked. */
  showStep(edges: readonly string[]): void {
    if (edges.length === 0) return; // an event that changed nothing
    this.#mark(
      'taken',
      edges.map((title) => this.#byTitle.get(title)),
    );
  }

  #mark(className: string, groups: (SVGGElement | undefined)[]): void {
    for (const element of this.svg.querySelectorAll(`.${className}`)) element.classList.remove(className);
    for (const group of groups) group?.classList.add(className);
  }
}
