import { readFile } from 'node:fs/promises';
import type { AnyStateNode } from 'xstate';
import { enqueueActions, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { DIAGRAM_FILES, renderDiagrams } from '../../scripts/render-diagrams.js';
import { renderSvg, toDot, toMermaid } from '../../scripts/diagram/index.js';

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
      const committed = await readFile(new URL(`../../${DIAGRAM_FILES[kind]}`, import.meta.url), 'utf8').catch(() => '');
      expect(committed, `${DIAGRAM_FILES[kind]} is stale: run \`npm run diagrams\``).toBe(rendered[kind]);
    }
  });

  it('draw every state in its place and every event that has a transition, eventless ones included', () => {
    const mermaid = toMermaid(connectionMachine);
    const nodes = stateNodes(connectionMachine.root);
    expect(declaredIds(mermaid).sort()).toEqual(nodes.map((n) => n.id).sort());

    const drawnEvents = new Set([...mermaid.matchAll(/ --> \S+ : (\S+)/g)].map((m) => m[1]));
    const events = new Set(nodes.flatMap((n) => [...n.transitions.keys(), ...(n.always?.length ? ['always'] : [])]));
    expect(events).toContain('always');
    expect(drawnEvents).toEqual(events);
  });

  it('draw one arrow per transition and target, and the entry and exit of every state that has them', () => {
    const mermaid = toMermaid(connectionMachine);
    const nodes = stateNodes(connectionMachine.root);
    const arrows = nodes.flatMap((n) => [...n.transitions.values(), n.always ?? []].flat().flatMap((t) => t.target ?? [n]));
    expect(mermaid.match(/^\s*\S+ --> (?!\[\*\])\S+ : /gm)).toHaveLength(arrows.length);
    for (const [kind, nodesWith] of [
      ['entry', nodes.filter((n) => n.entry.length > 0)],
      ['exit', nodes.filter((n) => n.exit.length > 0)],
    ] as const) {
      expect(nodesWith.length).toBeGreaterThan(0);
      for (const node of nodesWith) expect(mermaid).toMatch(new RegExp(`^\\s*${node.key} : ${kind} / \\S`, 'm'));
    }
    // The entry of `open` is an enqueueActions block: what it can start is drawn, as conditional.
    expect(mermaid).toContain('open : entry / startTimer(stable)?, startTimer(ping)?');
  });

  it('render the same SVG twice, naming every state', async () => {
    const dot = toDot(connectionMachine);
    const svg = await renderSvg(dot);
    expect(await renderSvg(dot)).toBe(svg);
    expect(svg).toMatch(/^<\?xml[\s\S]*<\/svg>\n$/);
    for (const node of stateNodes(connectionMachine.root)) expect(svg).toContain(`>${node.key}</text>`);
  });
});

describe('toMermaid and toDot', () => {
  const choosing = setup({
    guards: { isReady: () => true, isLate: () => false },
    actions: { start: () => {}, stop: () => {}, tick: () => {} },
  }).createMachine({
    id: 'choosing',
    initial: 'idle',
    context: { fast: true },
    states: {
      idle: {
        entry: [{ type: 'start', params: { speed: 'slow', count: 2 } }, 'tick'],
        exit: enqueueActions(({ context, enqueue }) => {
          if (context.fast) enqueue({ type: 'stop', params: { how: 'now' } });
        }),
        on: { GO: 'deciding' },
      },
      deciding: { always: [{ guard: 'isReady', target: 'done' }, { guard: 'isLate', target: 'idle' }, { target: 'done' }] },
      done: {},
    },
  });

  it('draw entry and exit actions with their string params, enqueued ones marked, and a choice with its branches in order', () => {
    expect(toMermaid(choosing)).toBe(
      [
        '---',
        'title: choosing',
        '---',
        'stateDiagram-v2',
        '  [*] --> idle',
        '  idle',
        '  idle : entry / start(slow), tick',
        '  idle : exit / stop(now)?',
        '  deciding',
        '  deciding : a choice, taken by the first always #n [guard] that holds',
        '  done',
        '  idle --> deciding : GO',
        '  deciding --> done : always #1 [isReady]',
        '  deciding --> idle : always #2 [isLate]',
        '  deciding --> done : always #3 [else]',
        '',
      ].join('\n'),
    );
    const dot = toDot(choosing);
    expect(dot).toContain('"choosing.idle" [label="idle\\nentry / start(slow), tick\\lexit / stop(now)?\\l"];');
    expect(dot).toContain('"choosing.deciding" [label="deciding\\n", shape=diamond, style=""];');
    expect(dot).toContain('"choosing.deciding" -> "choosing.done" [label="always #1 [isReady]\\nalways #3 [else]"];');
  });

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
