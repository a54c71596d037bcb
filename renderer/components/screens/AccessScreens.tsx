// The screens shown when the page cannot reach an engine, or not yet.
import { Notice } from './Notice';

export function NoEngineScreen() {
  return (
    <Notice title="No election engine here" tone="bad">
      <p>
        This page is the dashboard of an election runner, but it was opened on its own, without one. Open it
        from the Onion Election desktop app, or run <code>onion-election … --dashboard</code> and open the
        link it prints.
      </p>
    </Notice>
  );
}

export function NoTokenScreen() {
  return (
    <Notice title="Open the dashboard link" tone="bad">
      <p>
        Open the link that <code>onion-election … --dashboard</code> printed (it carries the access token).
      </p>
      <p className="muted">
        The token keeps other programs on this computer away from your runner. It is kept for this tab only,
        so a new tab needs the link again.
      </p>
    </Notice>
  );
}

export function TokenRefusedScreen() {
  return (
    <Notice title="This link is no longer valid" tone="bad">
      <p>
        The runner refused the access token: it was restarted (each start makes a new token) or the link was
        mistyped. Open the link that <code>onion-election … --dashboard</code> printed this time.
      </p>
    </Notice>
  );
}

export function ConnectingScreen({ retrying }: { retrying: boolean }) {
  return (
    <Notice title="Connecting to the runner…" tone="busy">
      <p role="status">
        {retrying
          ? 'No answer yet: is the runner still running? Trying again…'
          : 'Loading the election’s state.'}
      </p>
    </Notice>
  );
}

/** Over the page, not in its flow, so the layout does not move when it comes and goes. */
export function ReconnectBanner() {
  return (
    <div className="reconnect-banner" role="status">
      <span className="spinner" aria-hidden="true" /> Connection to the runner lost — reconnecting…
    </div>
  );
}
