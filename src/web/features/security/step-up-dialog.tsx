import { useEffect, useState } from 'react';
import { Button, Modal, Typography } from 'antd';
import { api, setStepUpHandler } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { useSession } from '../../shared/session.tsx';
import type { CurrentUser } from '../../shared/types.ts';
import { SecondFactorForm, type SecondFactorBody } from './second-factor-form.tsx';

interface Pending {
  readonly minutes: number;
  readonly resolve: (given: boolean) => void;
}

/**
 * 请输入动态口令以确认此操作: official acts need a one-time code given in the last few minutes. Any write the
 * server refuses with `step_up_required` opens this dialog (see `setStepUpHandler`); once the code is given the
 * write is sent again by itself, and a cancel leaves it refused. Mounted once, for the whole app.
 */
export function StepUpDialog() {
  const t = useTranslate();
  const { adopt } = useSession();
  const [pending, setPending] = useState<Pending | null>(null);

  useEffect(() => {
    setStepUpHandler(
      (refusal) =>
        new Promise<boolean>((resolve) => {
          const minutes = Number(refusal.params.max_age_minutes);
          setPending({ minutes: Number.isFinite(minutes) && minutes > 0 ? minutes : 5, resolve });
        }),
    );
    return () => setStepUpHandler(null);
  }, []);

  if (!pending) return null;

  const give = async (body: SecondFactorBody) => {
    const next = await api.post<CurrentUser | undefined>('/auth/second-factor', body);
    // The session now says when it last gave a code (the security page shows it).
    if (next && typeof next === 'object' && 'session_stage' in next) adopt(next);
    setPending(null);
    pending.resolve(true);
  };

  const cancel = () => {
    setPending(null);
    pending.resolve(false);
  };

  return (
    <Modal
      open
      title={t('stepUp.title')}
      footer={null}
      onCancel={cancel}
      destroyOnHidden
      mask={{ closable: false }}
      width={420}
    >
      <div data-testid="step-up">
        <Typography.Paragraph type="secondary">{t('stepUp.detail', { minutes: pending.minutes })}</Typography.Paragraph>
        <SecondFactorForm
          name="step_up"
          submitLabel={t('stepUp.confirm')}
          onSubmit={give}
          extra={<Button onClick={cancel}>{t('common.cancel')}</Button>}
        />
      </div>
    </Modal>
  );
}
