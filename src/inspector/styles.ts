/**
 * The inspector element's stylesheet, inside its shadow root: the page's styles do not reach in,
 * and these do not leak out. Colours are custom properties a page may set on the element
 * (`statesock-inspector { --statesock-accent: rebeccapurple }`); the parts (`connection`,
 * `state`, `meters`, `diagram`, `log`) can be styled with `::part()`.
 */
export const STYLES = `
:host {
  --statesock-ink: #1f2933;
  --statesock-muted: #616e7c;
  --statesock-line: #d9dee4;
  --statesock-panel: #ffffff;
  --statesock-accent: #b45309;
  --statesock-accent-soft: #fde68a;
  --statesock-accent-wash: #fffbeb;
  --statesock-bad: #b91c1c;
  --statesock-good: #047857;
  --statesock-diagram-height: 520px;
  --statesock-log-height: 220px;
  display: block;
  color: var(--statesock-ink);
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
}
:host([hidden]) { display: none; }
.empty { color: var(--statesock-muted); margin: 0; }
.connection {
  background: var(--statesock-panel);
  border: 1px solid var(--statesock-line);
  border-radius: 8px;
  padding: 6px 10px;
  margin: 0 0 10px;
  min-width: 0;
}
summary { cursor: pointer; display: flex; gap: 10px; align-items: baseline; min-width: 0; }
summary .state { color: var(--statesock-accent); font-weight: 700; }
.connection[data-ended='true'] summary .state { color: var(--statesock-muted); }
summary .url { color: var(--statesock-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 12px; }
.meters { display: flex; flex-wrap: wrap; gap: 2px 18px; margin: 8px 0; }
.meters div { display: flex; gap: 6px; align-items: center; }
.meters dt { color: var(--statesock-muted); }
.meters dd { margin: 0; font-variant-numeric: tabular-nums; font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; }
.meters progress { width: 90px; height: 8px; }
.toolbar { display: flex; justify-content: flex-end; margin: 0 0 4px; }
button {
  font: inherit; font-size: 12px; padding: 2px 8px; border: 1px solid #9aa5b1; border-radius: 5px;
  background: #f8fafc; color: var(--statesock-ink); cursor: pointer;
}
button:hover { background: #e4e7eb; }
.diagram { overflow: auto; max-height: var(--statesock-diagram-height); border: 1px solid var(--statesock-line); border-radius: 5px; background: #fff; }
.diagram svg { display: block; }
/* Fit: the whole chart at once, its labels smaller than the page's text. Readable (the default): the chart at the size Graphviz laid it out. */
.diagram[data-zoom='fit'] svg { width: 100%; height: auto; }
/* The current state, its parent cluster and the last transition. CSS wins over Graphviz's presentation attributes. */
.diagram g.node.current > path, .diagram g.node.current > polygon { fill: var(--statesock-accent-soft); stroke: var(--statesock-accent); stroke-width: 3px; }
/* Not bold: Graphviz sized each node for its label at normal weight, and a bolder one spills over the border. */
.diagram g.node.active > text { fill: var(--statesock-accent); }
.diagram g.cluster.active > path { fill: var(--statesock-accent-wash); stroke: var(--statesock-accent); stroke-width: 2px; }
.diagram g.edge.taken > path { stroke: var(--statesock-accent); stroke-width: 2.5px; }
.diagram g.edge.taken > polygon { fill: var(--statesock-accent); stroke: var(--statesock-accent); }
.diagram g.edge.taken > text { fill: var(--statesock-accent); }
.log {
  list-style: none; margin: 8px 0 4px; padding: 0; max-height: var(--statesock-log-height); overflow-y: auto;
  font: 12px/1.45 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
}
.log li { display: grid; grid-template-columns: 76px 92px 1fr; gap: 8px; padding: 1px 4px; border-bottom: 1px solid #f0f2f4; }
.log time { color: var(--statesock-muted); text-align: right; }
.log span { overflow-wrap: anywhere; }
.log li[data-kind='machine'] b { color: var(--statesock-muted); font-weight: 400; }
.log li[data-kind='state'] b, .log li[data-kind='close'] b, .log li[data-kind='reconnecting'] b { color: var(--statesock-accent); }
.log li[data-kind='open'] b { color: var(--statesock-good); }
.log li[data-kind='error'] b, .log li[data-kind='undelivered'] b, .log li[data-kind='giveup'] b { color: var(--statesock-bad); }
`;
