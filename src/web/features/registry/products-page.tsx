import { useState } from 'react';
import { Button, Card, Flex, Input, Select, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { formatFactor } from '../../shared/format.ts';
import { useLanguage, useTranslate, type Language, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import type { OreType, Page, Product } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { ProductModal } from './product-modal.tsx';

type Category = Product['category'];

/** "1.166377 kg REO/kg" for fixed factors; for assayed products the grade of each batch decides. */
function conversionText(product: Product, t: Translate): string {
  if (product.conversion === 'factor' && product.reo_factor_ppm !== null)
    return `${formatFactor(product.reo_factor_ppm)} ${t('unit.reoPerKg')}`;
  return '—';
}

function columns(
  t: Translate,
  language: Language,
  onEdit: ((product: Product) => void) | null,
): TableColumnsType<Product> {
  const list: TableColumnsType<Product> = [
    { title: t('product.code'), dataIndex: 'code', render: (code: string) => <code>{code}</code>, width: 180 },
    {
      title: t('product.name'),
      key: 'name',
      render: (_value, product) => (
        <Flex vertical>
          <span>{language === 'zh' ? product.name_zh : product.name_en}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {language === 'zh' ? product.name_en : product.name_zh}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('product.category'),
      dataIndex: 'category',
      render: (category: Category) => (
        <Tag color={category === 'mineral' ? 'gold' : 'blue'}>{t(`productCategory.${category}`)}</Tag>
      ),
    },
    { title: t('product.form'), dataIndex: 'form', render: (form: Product['form']) => t(`productForm.${form}`) },
    {
      title: t('product.oreType'),
      dataIndex: 'ore_type',
      render: (oreType: OreType | null) => (oreType ? t(`oreType.${oreType}`) : '—'),
    },
    {
      title: t('product.conversion'),
      dataIndex: 'conversion',
      render: (conversion: Product['conversion']) => t(`conversion.${conversion}`),
    },
    {
      title: t('product.factor'),
      key: 'factor',
      render: (_value, product) => (
        <span className="numeric" style={{ whiteSpace: 'nowrap' }}>
          {conversionText(product, t)}
        </span>
      ),
    },
    {
      title: t('product.active'),
      dataIndex: 'active',
      render: (active: boolean) =>
        active ? <Tag color="green">{t('product.activeYes')}</Tag> : <Tag>{t('product.activeNo')}</Tag>,
    },
  ];
  if (!onEdit) return list;
  return [
    ...list,
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_value, product) => (
        <Button size="small" icon={<EditOutlined />} onClick={() => onEdit(product)}>
          {t('common.edit')}
        </Button>
      ),
    },
  ];
}

export function ProductsPage() {
  const t = useTranslate();
  const language = useLanguage();
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<Category | null>(null);
  const [page, setPage] = useState(1);
  // The catalogue is short; a long page shows it whole.
  const [pageSize, setPageSize] = useState(50);
  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const products = useApi<Page<Product>>('/products', { q, category, page, page_size: pageSize });
  const mayWrite = can('product.write');

  return (
    <>
      <PageHeader
        title={t('products.title')}
        subtitle={t('products.subtitle')}
        extra={
          mayWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('products.create')}
            </Button>
          ) : null
        }
      />
      <Card>
        <Flex gap="small" wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            enterButton={t('common.search')}
            placeholder={t('products.searchPlaceholder')}
            onSearch={(value) => {
              setQ(value.trim());
              setPage(1);
            }}
            style={{ maxWidth: 360 }}
          />
          <Select<Category>
            allowClear
            placeholder={t('product.category')}
            value={category}
            onChange={(value) => {
              setCategory(value ?? null);
              setPage(1);
            }}
            options={(['mineral', 'separated'] as const).map((value) => ({
              value,
              label: t(`productCategory.${value}`),
            }))}
            style={{ width: 180 }}
          />
        </Flex>
        <ProblemAlert error={products.error} />
        <Table<Product>
          rowKey="code"
          size="middle"
          loading={products.loading}
          columns={columns(t, language, mayWrite ? setEditing : null)}
          dataSource={products.data?.items ?? []}
          scroll={{ x: 1100 }}
          pagination={{
            current: page,
            pageSize,
            total: products.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100],
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (nextPage, nextSize) => {
              setPage(nextPage);
              setPageSize(nextSize);
            },
          }}
        />
      </Card>
      {editing ? (
        <ProductModal
          original={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            products.reload();
          }}
        />
      ) : null}
    </>
  );
}
