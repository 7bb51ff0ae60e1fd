import { useMemo } from 'react';
import { EChart, type ChartOption } from '../../shared/echart.tsx';
import { useTranslate } from '../../shared/i18n.ts';
import { formatKg, formatShare } from '../flows/flow-format.ts';
import type { BatchNode, LineageEdge } from '../flows/flow-types.ts';

const COLUMN_GAP = 260;
const ROW_GAP = 84;
/** Beyond this many links, edge labels would cover each other: they show on hover only. */
const MAX_LABELLED_EDGES = 40;

const kindColours: Record<BatchNode['origin_kind'], string> = {
  mine: '#d48806',
  import: '#722ed1',
  transform: '#1677ff',
};

/**
 * Columns by generation: the traced batch in one outer column, its origins (back) or what was made from it
 * (forward) column by column away from it. Longest path decides the column, so every edge points one way.
 */
export function layers(
  focusId: number,
  nodes: readonly BatchNode[],
  edges: readonly LineageEdge[],
  direction: 'back' | 'forward',
): Map<number, number> {
  const level = new Map<number, number>([[focusId, 0]]);
  for (let round = 0; round < nodes.length; round += 1) {
    let changed = false;
    for (const edge of edges) {
      const [from, to] = direction === 'back' ? [edge.child_id, edge.parent_id] : [edge.parent_id, edge.child_id];
      const fromLevel = level.get(from);
      if (fromLevel === undefined) continue;
      if ((level.get(to) ?? -1) < fromLevel + 1) {
        level.set(to, fromLevel + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const node of nodes) if (!level.has(node.id)) level.set(node.id, 0);
  return level;
}

interface LineageGraphProps {
  readonly focus: BatchNode;
  readonly nodes: readonly BatchNode[];
  readonly edges: readonly LineageEdge[];
  readonly direction: 'back' | 'forward';
  readonly productName: (code: string) => string;
}

/** The batch lineage as an ECharts graph: boxes per batch, arrows with the REO kg and the share they carry. */
export function LineageGraph({ focus, nodes, edges, direction, productName }: LineageGraphProps) {
  const t = useTranslate();
  const option = useMemo<ChartOption>(() => {
    const all = nodes.some((node) => node.id === focus.id) ? nodes : [focus, ...nodes];
    const byId = new Map(all.map((node) => [node.id, node]));
    const level = layers(focus.id, all, edges, direction);
    const deepest = Math.max(0, ...level.values());
    const columns = new Map<number, BatchNode[]>();
    for (const node of all) {
      const column = level.get(node.id) ?? 0;
      columns.set(column, [...(columns.get(column) ?? []), node]);
    }
    const position = new Map<number, { x: number; y: number }>();
    for (const [column, members] of columns) {
      members.sort((a, b) => a.code.localeCompare(b.code));
      members.forEach((node, index) => {
        const x = (direction === 'back' ? deepest - column : column) * COLUMN_GAP;
        position.set(node.id, { x, y: (index - (members.length - 1) / 2) * ROW_GAP });
      });
    }
    const categories = (['mine', 'import', 'transform'] as const).map((kind) => ({
      name: t(`originKind.${kind}`),
      itemStyle: { color: kindColours[kind] },
    }));
    const categoryIndex = { mine: 0, import: 1, transform: 2 } as const;
    const labelled = edges.length <= MAX_LABELLED_EDGES;
    return {
      tooltip: {
        trigger: 'item',
        formatter: (params: unknown) => {
          const { dataType, data } = params as { dataType: string; data: { name?: string; tip?: string } };
          return dataType === 'edge' ? (data.tip ?? '') : (data.tip ?? data.name ?? '');
        },
      },
      legend: [{ data: categories.map((category) => category.name), bottom: 0 }],
      series: [
        {
          type: 'graph',
          layout: 'none',
          top: 40,
          bottom: 56,
          left: 100,
          right: 100,
          roam: true,
          draggable: true,
          categories,
          symbol: 'roundRect',
          symbolSize: [170, 46],
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: 9,
          label: { show: true, color: '#fff', fontSize: 12, lineHeight: 15, width: 160, overflow: 'truncate' },
          lineStyle: { color: '#8c8c8c', width: 1.5, curveness: 0.08, opacity: 0.9 },
          edgeLabel: {
            show: labelled,
            fontSize: 11,
            color: '#434343',
            formatter: (params: unknown) => (params as { data: { text?: string } }).data.text ?? '',
          },
          emphasis: { focus: 'adjacency', edgeLabel: { show: true } },
          data: all.map((node) => {
            const at = position.get(node.id) ?? { x: 0, y: 0 };
            const focused = node.id === focus.id;
            return {
              name: String(node.id),
              x: at.x,
              y: at.y,
              category: categoryIndex[node.origin_kind],
              label: { formatter: `${node.code}\n${productName(node.product)}` },
              itemStyle: focused ? { borderColor: '#262626', borderWidth: 3 } : {},
              tip: `${node.code} · ${productName(node.product)}<br/>${node.maker.name}<br/>${formatKg(node.reo_kg)} kg REO`,
            };
          }),
          links: edges.map((edge) => {
            const child = byId.get(edge.child_id);
            const parent = byId.get(edge.parent_id);
            // Back: how much of the child's REO came this way; forward: how much of the parent's REO went this way.
            const whole = direction === 'back' ? child : parent;
            const share =
              whole && whole.reo_kg > 0 ? formatShare(Math.round((edge.reo_kg * 1_000_000) / whole.reo_kg)) : '';
            const text = `${formatKg(edge.reo_kg)} kg REO${share ? ` · ${share}` : ''}`;
            return {
              source: String(edge.parent_id),
              target: String(edge.child_id),
              text,
              tip: `${parent?.code ?? edge.parent_id} → ${child?.code ?? edge.child_id}<br/>${text}`,
            };
          }),
        },
      ],
    };
  }, [focus, nodes, edges, direction, productName, t]);

  const height = Math.min(
    720,
    Math.max(320, (Math.max(...countPerColumn(focus.id, nodes, edges, direction)) + 1) * ROW_GAP),
  );
  return (
    <EChart
      option={option}
      height={height}
      label={t('trace.graphLabel', { code: focus.code, nodes: Math.max(nodes.length, 1), edges: edges.length })}
    />
  );
}

function countPerColumn(
  focusId: number,
  nodes: readonly BatchNode[],
  edges: readonly LineageEdge[],
  direction: 'back' | 'forward',
): number[] {
  const counts = new Map<number, number>();
  for (const column of layers(focusId, nodes, edges, direction).values())
    counts.set(column, (counts.get(column) ?? 0) + 1);
  return [1, ...counts.values()];
}
