import { useRevalidator } from '@remix-run/react';
import { useEffect } from 'react';

/** Reloads the page's data every `ms` while `active` (a job that is queued or running). */
export function usePollWhile(active: boolean, ms = 1000): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => revalidator.state === 'idle' && revalidator.revalidate(), ms);
    return () => clearInterval(timer);
  }, [active, revalidator, ms]);
}
