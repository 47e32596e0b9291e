import { readFile } from 'node:fs/promises';
import type { AnyStateNode } from 'xstate';
import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../machines/connection.machine.js';
import { DIAGRAM_FILES, renderDiagrams } from '../scripts/render-diagrams.js';
import { renderSvg, toDot, toMermaid } from '../src/diagram/index.js';

/** Every state node of the machine, the root included, computed from the definition. */
function stateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(stateNodes)];
}

/**
 * The `StateNode` ids a Mermaid diagram declares, rebuilt from its title and its nested
 * `state ... {` blocks, so a state drawn in the wrong block counts as missing.
 */
function declaredIds(mermaid: string): string[] {
  const title = /^title: (.+)$/m.exec(mermaid)?.[1] ?? '';
  const path = [title];
  const ids = [title];
  for (const line of mermaid.split('\n').map((l) => l.trim())) {
    // `state "label" as id {`, `state id {`, `state "label" as id` or a bare `id`.
    const declaration = /^(?:state (?:"([^"]+)" as )?)?(\w+)( \{)?$/.exec(line);
    if (declaration) {
      const key = declaration[1] ?? declaration[2] ?? '';
      ids.push([...path, key].join('.'));
      if (declaration[3]) path.push(key);
    } else if (line === '}') {
      path.pop();
    }
  }
  return ids;
}

describe('connection diagrams', () => {
  it('are committed as the generator renders them now', async () => {
    const rendered = await renderDiagrams();
    for (const kind of ['markdown', 'svg'] as const) {
      const committed = await readFile(new URL(`../${DIAGRAM_FILES[kind]}`, import.meta.url), 'utf8').catch(() => '');
      expect(committed, `${DIAGRAM_FILES[kind]} is stale: run \`npm run diagrams\``).toBe(rendered[kind]);
    }
  });

  it('draw every state in its place and every event that has a transition', () => {
    const mermaid = toMermaid(connectionMachine);
    const nodes = stateNodes(connectionMachine.root);
    expect(declaredIds(mermaid).sort()).toEqual(nodes.map((n) => n.id).sort());

    const drawnEvents = new Set([...mermaid.matchAll(/ --> \S+ : (\S+)/g)].map((m) => m[1]));
    const events = new Set(nodes.flatMap((n) => [...n.transitions.keys()]));
    expect(events.size).toBeGreaterThan(0);
    expect(drawnEvents).toEqual(events);
  });

  it('render the same SVG twice, naming every state', async () => {
    const dot = toDot(connectionMachine);
    const svg = await renderSvg(dot);
    expect(await renderSvg(dot)).toBe(svg);
    expect(svg).toMatch(/^<\?xml[\s\S]*<\/svg>\n$/);
    for (const node of stateNodes(connectionMachine.root)) expect(svg).toContain(`>${node.key}</text>`);
  });
});

describe('toMermaid', () => {
  it('draws nesting, guards, fallbacks, self-loops and repeated names exactly', () => {
    const machine = setup({ guards: { isReady: () => true } }).createMachine({
      id: 'pinned',
      initial: 'idle',
      states: {
        idle: { on: { START: { guard: 'isReady', target: 'busy' }, PING: {} } },
        busy: {
          initial: 'idle',
          on: { STOP: [{ guard: 'isReady', target: 'idle' }, { target: '.working' }] },
          states: {
            idle: { on: { WORK: 'working' } },
            working: { on: { DONE: '#pinned.idle' } },
          },
        },
      },
    });
    // `idle` names two states, and Mermaid ids are global, so both get numbered ids and labels.
    expect(toMermaid(machine)).toBe(
      [
        '---',
        'title: pinned',
        '---',
        'stateDiagram-v2',
        '  [*] --> _0',
        '  state "idle" as _0',
        '  state busy {',
        '    [*] --> _2',
        '    state "idle" as _2',
        '    working',
        '    _2 --> working : WORK',
        '  }',
        '  _0 --> busy : START [isReady]',
        '  _0 --> _0 : PING',
        '  busy --> _0 : STOP [isReady]',
        '  busy --> working : STOP [else]',
        '  working --> _0 : DONE',
        '',
      ].join('\n'),
    );
  });
});
