import { Table, Tag, Typography } from 'antd';
import { useTranslate } from '../../shared/i18n.ts';
import { formatBeijing, formatKg, formatShare } from '../flows/flow-format.ts';
import type { BatchNode, Movement, TraceBack } from '../flows/flow-types.ts';

type Origin = TraceBack['origins'][number];

/** Batch ids as their codes, joined the way the trace went. */
function pathText(path: readonly number[], codeOf: (id: number) => string, arrow: string): string {
  return path.map(codeOf).join(arrow);
}

function codeLookup(nodes: readonly BatchNode[]): (id: number) => string {
  const codes = new Map(nodes.map((node) => [node.id, node.code]));
  return (id) => codes.get(id) ?? `#${id}`;
}

const originColours: Record<BatchNode['origin_kind'], string> = { mine: 'gold', import: 'purple', transform: 'blue' };

export function OriginKindTag({ kind }: { readonly kind: BatchNode['origin_kind'] }) {
  const t = useTranslate();
  return <Tag color={originColours[kind]}>{t(`originKind.${kind}`)}</Tag>;
}

/** Where the batch's REO came from: each mine or import with its exact kg, share and path. */
export function OriginsTable({
  trace,
  productName,
}: {
  readonly trace: TraceBack;
  readonly productName: (code: string) => string;
}) {
  const t = useTranslate();
  const codeOf = codeLookup([trace.batch, ...trace.nodes]);
  const total = trace.origins.reduce((sum, origin) => sum + origin.reo_kg, 0);
  return (
    <Table<Origin>
      data-testid="origins"
      rowKey={(origin) => origin.batch.id}
      size="small"
      dataSource={trace.origins}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      locale={{ emptyText: t('trace.noOrigins') }}
      scroll={{ x: 1000 }}
      columns={[
        { title: t('trace.batch'), key: 'code', render: (_value, origin) => <code>{origin.batch.code}</code> },
        { title: t('flow.product'), key: 'product', render: (_value, origin) => productName(origin.batch.product) },
        {
          title: t('trace.originKind'),
          key: 'kind',
          render: (_value, origin) => <OriginKindTag kind={origin.batch.origin_kind} />,
        },
        { title: t('trace.maker.name'), key: 'maker', render: (_value, origin) => origin.batch.maker.name },
        {
          title: t('trace.creditCode'),
          key: 'credit',
          render: (_value, origin) => <code>{origin.batch.maker.credit_code}</code>,
        },
        {
          title: t('unit.kgReo'),
          dataIndex: 'reo_kg',
          align: 'right',
          render: (kg: number) => <span className="numeric">{formatKg(kg)}</span>,
        },
        {
          title: t('trace.share'),
          dataIndex: 'share_ppm',
          align: 'right',
          render: (ppm: number) => <span className="numeric">{formatShare(ppm)}</span>,
        },
        {
          title: t('trace.path'),
          dataIndex: 'path',
          render: (path: number[]) => (
            <Typography.Text style={{ fontSize: 12 }}>{pathText(path, codeOf, ' ← ')}</Typography.Text>
          ),
        },
      ]}
      summary={() =>
        trace.origins.length > 1 ? (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={5}>
              <strong>{t('batch.total')}</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={5} align="right">
              <strong className="numeric">{formatKg(total)}</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={6} colSpan={2} />
          </Table.Summary.Row>
        ) : null
      }
    />
  );
}

/** Shipments, receipts and exports of the batch and of everything made from it. */
export function MovementsTable({
  movements,
  nodes,
}: {
  readonly movements: readonly Movement[];
  readonly nodes: readonly BatchNode[];
}) {
  const t = useTranslate();
  const codeOf = codeLookup(nodes);
  return (
    <Table<Movement>
      data-testid="movements"
      rowKey={(movement) =>
        `${movement.batch_id}:${movement.kind}:${movement.event_id}:${movement.event_time}:${movement.reo_kg}`
      }
      size="small"
      dataSource={[...movements]}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      locale={{ emptyText: t('trace.noMovements') }}
      scroll={{ x: 1100 }}
      columns={[
        {
          title: t('flow.time'),
          dataIndex: 'event_time',
          render: (iso: string) => <span className="numeric">{formatBeijing(iso)}</span>,
        },
        {
          title: t('trace.movementKind'),
          dataIndex: 'kind',
          render: (kind: Movement['kind']) => <Tag>{t(`flowKind.${kind}`)}</Tag>,
        },
        { title: t('trace.batch'), dataIndex: 'batch_id', render: (id: number) => <code>{codeOf(id)}</code> },
        {
          title: t('trace.recordedBy'),
          dataIndex: 'enterprise',
          render: (enterprise: Movement['enterprise']) =>
            enterprise ? enterprise.name : <Typography.Text type="secondary">{t('trace.hidden')}</Typography.Text>,
        },
        {
          title: t('flow.counterpartyShort'),
          dataIndex: 'counterparty_name',
          render: (name: string | null) => name ?? '—',
        },
        { title: t('trace.country'), dataIndex: 'country', render: (country: string | null) => country ?? '—' },
        {
          title: t('flow.massShort'),
          dataIndex: 'mass_kg',
          align: 'right',
          render: (kg: number) => <span className="numeric">{formatKg(kg)}</span>,
        },
        {
          title: t('unit.kgReo'),
          dataIndex: 'reo_kg',
          align: 'right',
          render: (kg: number) => <span className="numeric">{formatKg(kg)}</span>,
        },
        {
          title: t('trace.path'),
          dataIndex: 'path',
          render: (path: number[]) => (
            <Typography.Text style={{ fontSize: 12 }}>{pathText(path, codeOf, ' → ')}</Typography.Text>
          ),
        },
      ]}
    />
  );
}
