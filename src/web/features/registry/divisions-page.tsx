import { useCallback, useEffect, useState, type Key } from 'react';
import { Card, Col, Descriptions, Empty, Input, Row, Spin, Table, Tag, Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { api, errorText } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import type { Authority, Division } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';

interface DivisionNode extends TreeDataNode {
  readonly key: string;
  readonly division: Division;
  children?: DivisionNode[];
}

function nodeOf(division: Division): DivisionNode {
  return { key: division.code, title: `${division.name}`, isLeaf: !division.has_children, division };
}

/** A copy of the tree with `children` set on the node `code`; the tree loads one level at a time. */
function withChildren(nodes: DivisionNode[], code: string, children: DivisionNode[]): DivisionNode[] {
  return nodes.map((node) => {
    if (node.key === code) return { ...node, children };
    if (node.children) return { ...node, children: withChildren(node.children, code, children) };
    return node;
  });
}

function Departments({ division }: { division: Division }) {
  const t = useTranslate();
  const authorities = useApi<Authority[]>('/authorities', { division: division.code });
  return (
    <Card title={t('divisions.departmentsOf', { name: division.name })} data-testid="division-departments">
      <Descriptions
        size="small"
        column={1}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'code', label: t('divisions.code'), children: <code>{division.code}</code> },
          { key: 'level', label: t('divisions.level'), children: <Tag>{t(`divisionLevel.${division.level}`)}</Tag> },
        ]}
      />
      <ProblemAlert error={authorities.error} />
      <Table<Authority>
        rowKey="id"
        size="small"
        pagination={false}
        loading={authorities.loading}
        dataSource={authorities.data ?? []}
        locale={{ emptyText: t('divisions.noDepartments') }}
        columns={[
          { title: t('divisions.department'), dataIndex: 'name' },
          {
            title: t('divisions.departmentKind'),
            dataIndex: 'department',
            render: (department: Authority['department']) => t(`department.${department}`),
          },
        ]}
      />
    </Card>
  );
}

export function DivisionsPage() {
  const t = useTranslate();
  const [tree, setTree] = useState<DivisionNode[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<Division | null>(null);
  const [expandedKeys, setExpandedKeys] = useState<Key[]>([]);

  // Root: the provinces, or the divisions whose name matches the search (each can still be expanded).
  useEffect(() => {
    let current = true;
    const query = search.trim() ? { q: search.trim() } : {};
    api.get<Division[]>('/divisions', query).then(
      (divisions) => {
        if (!current) return;
        setTree(divisions.map(nodeOf));
        setExpandedKeys([]);
        setError(undefined);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [search]);

  const loadChildren = useCallback(async (node: DivisionNode) => {
    if (node.children) return;
    try {
      const children = await api.get<Division[]>('/divisions', { parent: node.key });
      setTree((nodes) => withChildren(nodes, node.key, children.map(nodeOf)));
    } catch (failure) {
      setError(new Error(errorText(failure)));
    }
  }, []);

  return (
    <>
      <PageHeader title={t('divisions.title')} subtitle={t('divisions.subtitle')} />
      <ProblemAlert error={error} />
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card>
            <Input.Search
              allowClear
              placeholder={t('divisions.searchPlaceholder')}
              onSearch={setSearch}
              style={{ marginBottom: 12 }}
              enterButton
            />
            {tree.length === 0 && !error ? (
              search ? (
                <Empty description={t('common.noData')} />
              ) : (
                <Spin />
              )
            ) : (
              <Tree<DivisionNode>
                treeData={tree}
                loadData={loadChildren}
                expandedKeys={expandedKeys}
                onExpand={(keys) => setExpandedKeys(keys)}
                onSelect={(_keys, info) => setSelected(info.node.division)}
                titleRender={(node) => (
                  <span>
                    {node.division.name} <span style={{ color: '#94a3b8', fontSize: 12 }}>{node.division.code}</span>
                  </span>
                )}
                style={{ maxHeight: 640, overflow: 'auto' }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          {selected ? (
            <Departments key={selected.code} division={selected} />
          ) : (
            <Card>
              <Empty description={t('divisions.pickOne')} />
            </Card>
          )}
        </Col>
      </Row>
    </>
  );
}
