import { useCallback } from 'react';
import { useLanguage, type Values } from '../../shared/i18n.ts';
import { oversightMessages, type OversightMessageKey } from '../../shared/messages-oversight.ts';

/** The oversight screen's strings in the reader's language, `{name}` placeholders filled in. */
export function useOversightText(): (key: OversightMessageKey, values?: Values) => string {
  const language = useLanguage();
  return useCallback(
    (key, values) => {
      const [chinese, english] = oversightMessages[key];
      const template: string = language === 'zh' ? chinese : english;
      if (!values) return template;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
    },
    [language],
  );
}

export type OversightText = ReturnType<typeof useOversightText>;
