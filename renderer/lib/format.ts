// How numbers, hashes and times read on screen. Pure functions, no React.

// Formatters are made once: building one costs far more than formatting with it.
const numbers = new Intl.NumberFormat('en');
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export function formatCount(value: number): string {
  return numbers.format(value);
}

/** The first digits of a hash: enough to tell blocks apart at a glance. */
export function shortHash(hash: string, digits = 10): string {
  return hash.slice(0, digits);
}

/** A 64-digit id in groups of 8, for reading aloud or comparing by eye. */
export function groupHex(hex: string, group = 8): string {
  return hex.match(new RegExp(`.{1,${group}}`, 'g'))?.join(' ') ?? hex;
}

export function formatHashrate(perSecond: number): string {
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} GH/s`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} MH/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} kH/s`;
  return `${Math.round(perSecond)} H/s`;
}

/** A duration in words, to the precision a person plans with. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A duration in plain words, for someone planning: "less than a second", "about 3 minutes". */
export function aboutDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'an unknown time';
  if (seconds < 1) return 'less than a second';
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 90) return `about ${unit(Math.round(seconds), 'second')}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${unit(minutes, 'minute')}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 3 && rest >= 5) return `about ${unit(hours, 'hour')} ${unit(rest, 'minute')}`;
  if (minutes < 48 * 60) return `about ${unit(Math.round(minutes / 60), 'hour')}`;
  return `about ${unit(Math.round(minutes / 1440), 'day')}`;
}

/** "12 s ago", "5 min ago"; `now` and `at` in ms since the epoch. */
export function formatAgo(at: number, now: number): string {
  const seconds = Math.max(0, (now - at) / 1000);
  if (seconds < 5) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

export function formatDateTime(ms: number): string {
  return dateTime.format(ms);
}

export function formatTime(ms: number): string {
  return time.format(ms);
}

/** Expected hashes per block, as a power of two when it is near one ("2^26 ≈ 67.1M"). */
export function formatWork(hashes: number): string {
  const log2 = Math.log2(hashes);
  const short = compact.format(hashes);
  return Math.abs(log2 - Math.round(log2)) < 0.01 && hashes > 1 ? `2^${Math.round(log2)} ≈ ${short}` : short;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, (part / whole) * 100)) : 0;
}
