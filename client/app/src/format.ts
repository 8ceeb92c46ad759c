/** Times as the app shows them: "at 14:05" today, "on Mar 3" this year, with the year before. */
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const yearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return `at ${timeFormat.format(date)}`;
  return `on ${(date.getFullYear() === now.getFullYear() ? dateFormat : yearFormat).format(date)}`;
}

/** A device as the user can tell it apart: the start of its client id. */
export function shortDeviceId(clientId: string | null | undefined): string {
  return clientId ? clientId.slice(0, 6) : '';
}
