/** Calendar dates in China's time zone: deadlines and validity are judged by the date in Beijing. */
const shanghaiDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function dateInShanghai(instant: Date): string {
  return shanghaiDate.format(instant);
}

export function todayInShanghai(): string {
  return dateInShanghai(new Date());
}
