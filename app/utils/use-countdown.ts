import { useEffect, useState } from 'react';

/**
 * "m:ss" left until `until` (an ISO time), ticking every second; null without a time, and null on
 * the server and in the first client render: a clock read on both sides differs whenever a second
 * passes between them, and React then throws away the server's HTML (hydration mismatch).
 */
export function useCountdown(until: string | undefined): string | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!until || now === null) return null;
  const left = Math.max(0, Math.round((new Date(until).getTime() - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}
