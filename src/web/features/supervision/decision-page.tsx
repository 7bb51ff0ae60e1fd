import { useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Typography,
} from 'antd';
import {
  CheckCircleOutlined,
  CloseCircleOutlined,
  RollbackOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  StopOutlined,
} from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { useLanguage, useTranslate, type Language } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import {
  DecisionKindTag,
  DecisionStatusTag,
  DecisionTerms,
  WriteProblem,
  TransitionsTimeline,
  useSupervisionWriter,
} from './supervision-labels.tsx';
import { FinalityModal, type FinalityOutcome } from './finality-modal.tsx';
import { decisionMoves, mayBeFinal, type DecisionDetail, type DecisionStatus } from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';

const moveIcons: Record<DecisionStatus, React.ReactNode> = {
  complied: <CheckCircleOutlined />,
  closed: <StopOutlined />,
  open: <RollbackOutlined />,
};

/** The articles a decision rests on, as the server cites them ("Measures Art. 13"), in Chinese. */
const articlesZh: Readonly<Record<string, string>> = {
  'Measures Art. 13': '《稀土开采和冶炼分离总量控制管理暂行办法》第十三条',
  'Measures Art. 16': '《稀土开采和冶炼分离总量控制管理暂行办法》第十六条',
};

/** `type: citation` as stored; in Chinese the article in full, in English the citation as it stands. */
function decisionBasisText(basis: string, language: Language): string {
  const citation = basis.slice(basis.indexOf(': ') + 2);
  return language === 'zh' ? (articlesZh[citation] ?? citation) : citation;
}

/** One follow-up move with its note, against the version read (409 when someone moved it meanwhile). */
function MoveModal({
  decision,
  to,
  onClose,
  onMoved,
}: {
  readonly decision: DecisionDetail;
  readonly to: DecisionStatus;
  readonly onClose: () => void;
  readonly onMoved: () => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ note: string }>();
  const { submit, error, saving } = useSupervisionSubmit(form, 'move');

  const send = async ({ note }: { note: string }) => {
    const moved = await submit(() =>
      api.post<DecisionDetail>(`/supervision/decisions/${decision.id}/transitions`, {
        expected_version: decision.version,
        status: to,
        note: note.trim(),
      }),
    );
    if (moved) {
      void message.success(t('decision.moved'));
      onMoved();
    }
  };

  return (
    <Modal
      open
      title={t(`decision.move.${to}`)}
      okText={t(`decision.move.${to}`)}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <WriteProblem error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void send(values)}>
        <Form.Item
          name="note"
          label={t('decision.note')}
          rules={[{ required: true, whitespace: true, message: t('decision.noteRequired') }]}
        >
          <Input.TextArea id="move-note" rows={4} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 处理决定详情: the decision's terms, its follow-up (complied, closed, reopened) and its report to the level above. */
export function DecisionPage() {
  const t = useTranslate();
  const language = useLanguage();
  const user = useCurrentUser();
  const { message } = AntApp.useApp();
  const { id = '' } = useParams();
  const writer = useSupervisionWriter();
  const decision = useApi<DecisionDetail>(`/supervision/decisions/${id}`);
  const [moving, setMoving] = useState<DecisionStatus | null>(null);
  const [reporting, setReporting] = useState(false);
  const [settling, setSettling] = useState<FinalityOutcome | null>(null);
  const [reportError, setReportError] = useState<unknown>(undefined);
  const view = decision.data?.id === id ? decision.data : undefined;
  // Only the deciding division reports upward; the ministries have no level above.
  const mayReport =
    view !== undefined &&
    writer &&
    !view.reported_upward_at &&
    view.division_code !== '000000' &&
    user.division_code === view.division_code;
  // Only the deciding department records a penalty becoming final or a decision being revoked on appeal.
  const maySettle =
    view !== undefined &&
    writer &&
    !view.final &&
    view.revoked_on === null &&
    (user.division_code ?? '000000') === view.division_code &&
    user.department === view.department;

  const reportUpward = async () => {
    if (!view) return;
    setReporting(true);
    setReportError(undefined);
    try {
      await api.post(`/supervision/decisions/${view.id}/report-upward`, { expected_version: view.version });
      void message.success(t('decision.reported'));
      decision.reload();
    } catch (failure) {
      setReportError(failure);
    } finally {
      setReporting(false);
    }
  };

  return (
    <>
      <PageHeader
        title={view ? t('decision.title', { no: view.document_no }) : t('decisions.title')}
        subtitle={
          view ? (
            <Flex gap={4} component="span">
              <DecisionKindTag kind={view.kind} />
              <DecisionStatusTag decision={view} />
            </Flex>
          ) : null
        }
        extra={
          view && writer ? (
            <>
              {decisionMoves[view.status].map((to) => (
                <Button key={to} icon={moveIcons[to]} data-testid={`move-${to}`} onClick={() => setMoving(to)}>
                  {t(`decision.move.${to}`)}
                </Button>
              ))}
              {maySettle && mayBeFinal(view.kind) ? (
                <Button
                  icon={<SafetyCertificateOutlined />}
                  data-testid="finality-final"
                  onClick={() => setSettling('final')}
                >
                  {t('finality.final')}
                </Button>
              ) : null}
              {maySettle ? (
                <Button
                  danger
                  icon={<CloseCircleOutlined />}
                  data-testid="finality-revoked"
                  onClick={() => setSettling('revoked')}
                >
                  {t('finality.revoked')}
                </Button>
              ) : null}
              {mayReport ? (
                <Popconfirm
                  title={t('decision.reportUpwardConfirm')}
                  okText={t('decision.reportUpward')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => void reportUpward()}
                >
                  <Button type="primary" icon={<SendOutlined />} loading={reporting} data-testid="report-upward">
                    {t('decision.reportUpward')}
                  </Button>
                </Popconfirm>
              ) : null}
            </>
          ) : null
        }
      />
      <ProblemAlert error={decision.error ?? reportError} />
      {view?.overdue ? (
        <Alert
          type="error"
          showIcon
          data-testid="overdue-banner"
          style={{ marginBottom: 16 }}
          title={t('decisions.overdueTitle')}
          description={t('decisions.dueOn', { date: view.correction_due_on ?? '—' })}
        />
      ) : null}
      {view ? (
        <Row gutter={16}>
          <Col xs={24} xl={15}>
            <Card style={{ marginBottom: 16 }}>
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                data-testid="decision-facts"
                items={[
                  { key: 'enterprise', label: t('supervision.enterprise'), children: view.enterprise_name },
                  {
                    key: 'violation',
                    label: t('decision.violation'),
                    children: <Link to={`/supervision/violations/${view.violation_id}`}>{t('supervision.open')}</Link>,
                  },
                  { key: 'no', label: t('decisions.documentNo'), children: view.document_no },
                  {
                    key: 'decided',
                    label: t('decisions.decidedOn'),
                    children: <span className="numeric">{view.decided_on}</span>,
                  },
                  { key: 'kind', label: t('decisions.kind'), children: <DecisionKindTag kind={view.kind} /> },
                  { key: 'terms', label: t('decisions.detail'), children: <DecisionTerms decision={view} /> },
                  {
                    key: 'basis',
                    label: t('decisions.legalBasis'),
                    children: <span data-testid="decision-basis">{decisionBasisText(view.legal_basis, language)}</span>,
                  },
                  {
                    key: 'finality',
                    label: t('decision.finality'),
                    children: view.revoked_on ? (
                      <Typography.Text data-testid="decision-finality">
                        {t('decision.revokedOn', { date: view.revoked_on })}
                      </Typography.Text>
                    ) : (
                      <Typography.Text data-testid="decision-finality">
                        {view.final ? t('supervision.final') : t('decision.notFinal')}
                      </Typography.Text>
                    ),
                  },
                  {
                    key: 'department',
                    label: t('supervision.department'),
                    children: `${view.division_code} · ${t(`department.${view.department}`)}`,
                  },
                  {
                    key: 'by',
                    label: t('supervision.createdBy'),
                    children: `${view.decided_by} · ${formatBeijing(view.created_at)}`,
                  },
                  {
                    key: 'reported',
                    label: t('decisions.reportedUpward'),
                    children: view.reported_upward_at ? (
                      <Typography.Text data-testid="reported-upward">
                        {t('decisions.reportedTo', {
                          code: view.reported_to_code ?? '—',
                          time: formatBeijing(view.reported_upward_at),
                        })}
                        {view.reported_upward_by ? ` · ${view.reported_upward_by}` : ''}
                      </Typography.Text>
                    ) : (
                      <Typography.Text type="secondary">{t('decisions.notReported')}</Typography.Text>
                    ),
                  },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} xl={9}>
            <Card title={t('decision.followUp')} style={{ marginBottom: 16 }}>
              <TransitionsTimeline transitions={view.transitions} />
            </Card>
          </Col>
        </Row>
      ) : decision.error ? null : (
        <Card loading />
      )}
      {settling && view ? (
        <FinalityModal
          decision={view}
          outcome={settling}
          onClose={() => setSettling(null)}
          onDone={() => {
            setSettling(null);
            decision.reload();
          }}
        />
      ) : null}
      {moving && view ? (
        <MoveModal
          decision={view}
          to={moving}
          onClose={() => setMoving(null)}
          onMoved={() => {
            setMoving(null);
            decision.reload();
          }}
        />
      ) : null}
    </>
  );
}
