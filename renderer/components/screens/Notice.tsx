import type { ReactNode } from 'react';

/** A page with one message: what happened and what to do (the screens before the dashboard). */
export function Notice({
  title,
  tone = 'info',
  children,
}: {
  title: string;
  tone?: 'info' | 'bad' | 'busy';
  children: ReactNode;
}) {
  return (
    <section className={`notice notice-${tone}`} aria-labelledby="notice-title">
      <h1 id="notice-title">{title}</h1>
      {children}
    </section>
  );
}
