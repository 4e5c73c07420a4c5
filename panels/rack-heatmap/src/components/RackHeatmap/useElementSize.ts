import { useLayoutEffect, useState } from 'react';

/**
 * The content size (CSS px) of an element as layout gives it, following resizes: the floor takes what the legend
 * leaves, however many lines the legend wraps to. `fallback` until the first measurement.
 */
export function useElementSize(element: HTMLElement | null, fallback: { width: number; height: number }) {
  const [size, setSize] = useState(fallback);
  useLayoutEffect(() => {
    if (!element) {
      return;
    }
    const measure = () => {
      const width = Math.floor(element.clientWidth);
      const height = Math.floor(element.clientHeight);
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return size;
}
