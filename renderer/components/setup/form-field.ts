import { errorField } from '../../lib/errors';

/**
 * The form field an engine error is about. The engine may name it as the form does (`nTalliers`),
 * with a prefix (`form.nTalliers`), or as the genesis does (`genesis.n_talliers`, `target`).
 */
export function formField<F extends object>(error: unknown, form: F): keyof F | undefined {
  const field = errorField(error);
  if (!field) return undefined;
  const last = (field.split('.').pop() ?? field).replace(/\[\d+\]$/, '');
  const camel = last.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const name = ALIASES[camel] ?? camel;
  return name in form ? (name as keyof F) : undefined;
}

const ALIASES: Record<string, string> = {
  target: 'difficulty',
  expectedHashes: 'difficulty',
  miner: 'name',
  address: 'peer',
};
