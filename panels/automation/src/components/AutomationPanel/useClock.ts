import { useEffect, useState } from 'react';

/** The browser's time, updated every `everyMs`: lease and expiry countdowns tick between polls. */
export function useClock(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
