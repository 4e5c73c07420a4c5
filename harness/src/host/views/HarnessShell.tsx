import type { GrafanaTheme2 } from '@grafana/data';
import { GlobalStyles, PortalContainer, ThemeContext } from '@grafana/ui';
import { useEffect, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';

interface ShellProps {
  theme: GrafanaTheme2;
  /** called after every commit of this tree, so a mount can wait until its elements are in the DOM */
  onCommit: () => void;
  children: ReactNode;
}

/** What Grafana's app root provides every plugin component: the theme, global styles and the portal for overlays. */
function HarnessShell({ theme, onCommit, children }: ShellProps) {
  useEffect(() => onCommit(), [onCommit]);
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      {children}
      <PortalContainer />
    </ThemeContext.Provider>
  );
}

/** The one React root of the page (`#harness-root`): each mount replaces what the previous one rendered. */
export class HarnessView {
  private readonly root: Root;

  constructor(container: HTMLElement) {
    this.root = createRoot(container);
  }

  /** Renders `node` and resolves once React has committed it. */
  render(node: ReactNode, theme: GrafanaTheme2): Promise<void> {
    return new Promise((resolve) => {
      this.root.render(
        <HarnessShell theme={theme} onCommit={resolve}>
          {node}
        </HarnessShell>,
      );
    });
  }
}
