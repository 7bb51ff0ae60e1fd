/** Chinese first: the CJK faces come before the Latin fallbacks so 中文 never falls back to boxes. */
export const fontFamily =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Helvetica Neue', Arial, sans-serif";

export const colours = { primary: '#1d4ed8', accent: '#f59e0b' } as const;
