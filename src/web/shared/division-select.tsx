import { useEffect, useState } from 'react';
import { Select } from 'antd';
import { api } from './api.ts';
import { useTranslate } from './i18n.ts';
import type { Division } from './types.ts';

interface DivisionSelectProps {
  readonly value?: string | null;
  readonly onChange?: (code: string | null) => void;
  /** The name to show for the current value before any search has run (e.g. an enterprise's domicile). */
  readonly initialLabel?: string;
  readonly placeholder?: string;
  readonly id?: string;
}

/** Picks an administrative division by typing part of its name; the server does the search (?q=). */
export function DivisionSelect({ value, onChange, initialLabel, placeholder, id }: DivisionSelectProps) {
  const t = useTranslate();
  const [options, setOptions] = useState<{ value: string; label: string }[]>(
    value && initialLabel ? [{ value, label: `${initialLabel}（${value}）` }] : [],
  );
  const [search, setSearch] = useState('');
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const text = search.trim();
    if (!text) return;
    let current = true;
    // A short pause after typing keeps one request per word instead of one per keystroke.
    const timer = setTimeout(() => {
      api.get<Division[]>('/divisions', { q: text }).then(
        (divisions) => {
          if (!current) return;
          setOptions(
            divisions.map((division) => ({ value: division.code, label: `${division.name}（${division.code}）` })),
          );
          setLoading(false);
        },
        () => current && setLoading(false),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search]);

  return (
    <Select<string>
      {...(id ? { id } : {})}
      showSearch={{
        filterOption: false,
        onSearch: (text) => {
          // Stale matches go at once (the chosen value keeps its label), so nobody picks one by mistake.
          setOptions([]);
          setSearch(text);
          setLoading(text.trim() !== '');
        },
      }}
      allowClear
      value={value ?? null}
      onChange={(code) => onChange?.(code ?? null)}
      options={options}
      loading={loading}
      placeholder={placeholder ?? t('division.searchPlaceholder')}
      notFoundContent={search ? t('common.noData') : t('division.typeToSearch')}
    />
  );
}
