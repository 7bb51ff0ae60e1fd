import { useCallback, useSyncExternalStore } from 'react';
import { messages, type MessageKey } from './messages.ts';

/**
 * Chinese first, English on request. The choice lives in localStorage and in a tiny store, so every
 * component re-renders when it changes without a provider in the tree.
 */
export type Language = 'zh' | 'en';
export type { MessageKey };

const STORAGE_KEY = 'monazite.language';
const listeners = new Set<() => void>();

function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh'; // storage blocked (private mode): stay with the default
  }
}

let currentLanguage: Language = storedLanguage();

/** Screen readers, fonts and hyphenation follow the page's declared language. */
function declareLanguage(language: Language): void {
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
}
declareLanguage(currentLanguage);

export function setLanguage(language: Language): void {
  currentLanguage = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // not persisted; the switch still applies to this page
  }
  declareLanguage(language);
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The language now chosen, for code outside components (e.g. field errors set on a form). */
export function languageNow(): Language {
  return currentLanguage;
}

export function useLanguage(): Language {
  return useSyncExternalStore(subscribe, () => currentLanguage);
}

export type Values = Readonly<Record<string, string | number>>;

/** The text for `key` with `{name}` placeholders filled in. */
export function translate(language: Language, key: MessageKey, values?: Values): string {
  const [chinese, english] = messages[key];
  const template = language === 'zh' ? chinese : english;
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

export type Translate = (key: MessageKey, values?: Values) => string;

export function useTranslate(): Translate {
  const language = useLanguage();
  return useCallback((key, values) => translate(language, key, values), [language]);
}

/** Picks the Chinese or English member of a pair of names coming from the API (e.g. products). */
export function pick(language: Language, chinese: string, english: string): string {
  return language === 'zh' ? chinese : english;
}
