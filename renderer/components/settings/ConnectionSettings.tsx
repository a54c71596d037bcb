import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ConnectionForm, ConnectionView } from '../../../main/api/contract';
import { useConnectionSettings } from '../../lib/connection-settings';
import { errorField, errorMessage, fieldMessage } from '../../lib/errors';
import { useApi } from '../../store';
import { Field } from '../ui/Field';

/** The form as shown for saved settings: passwords are never sent, only whether one is saved. */
function formOf(view: ConnectionView): ConnectionForm {
  return {
    tor: view.tor,
    bridges: view.bridges,
    customBridges: view.customBridges.join('\n'),
    proxyType: view.proxy?.type ?? 'none',
    proxyHost: view.proxy?.host ?? '',
    proxyPort: view.proxy ? String(view.proxy.port) : '',
    proxyUsername: view.proxy?.username ?? '',
    proxyPassword: '',
    keepProxyPassword: true,
    controlHost: view.control?.host ?? '127.0.0.1',
    controlPort: view.control ? String(view.control.port) : '',
    controlPassword: '',
    keepControlPassword: true,
    socksUrl: view.external?.socks ?? 'socks5h://127.0.0.1:9050',
    onionAddress: view.external?.self ?? '',
  };
}

/** A host as the engine saves it: trimmed, without an IPv6 address's brackets. */
const hostOf = (text: string) => text.trim().replace(/^\[(.*)\]$/, '$1');

/**
 * Whether the form names another proxy (type, host or port) than the saved one: the engine then
 * drops the saved password rather than send it there (main/app/requests.ts).
 */
function otherProxy(view: ConnectionView, form: ConnectionForm): boolean {
  if (!view.proxy) return false;
  const port = form.proxyPort.trim() || (form.proxyType === 'https' ? '443' : '1080');
  return (
    form.proxyType !== view.proxy.type ||
    hostOf(form.proxyHost) !== view.proxy.host ||
    Number(port) !== view.proxy.port
  );
}

/** Whether the form names another control port than the saved one (its password is then dropped). */
function otherControl(view: ConnectionView, form: ConnectionForm): boolean {
  if (!view.control) return false;
  return (
    (hostOf(form.controlHost) || '127.0.0.1') !== view.control.host ||
    Number(form.controlPort.trim()) !== view.control.port
  );
}

/** "Connection settings" button: opens the settings (a screen's entry point). */
export function ConnectionSettingsButton({ className = 'button small ghost' }: { className?: string }) {
  const open = useConnectionSettings((s) => s.open);
  if (!open) return null;
  return (
    <button type="button" className={className} onClick={open}>
      Connection settings
    </button>
  );
}

/**
 * How this runner reaches the Tor network: bridges, a proxy, or a tor the user already runs. A
 * modal dialog, mounted once: it registers how to open it (renderer/lib/connection-settings.ts),
 * so any screen's "Connection settings" button opens it.
 */
export function ConnectionSettingsDialog() {
  const api = useApi();
  const dialog = useRef<HTMLDialogElement>(null);
  const [view, setView] = useState<ConnectionView>();
  const [form, setForm] = useState<ConnectionForm>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string>();
  const titleId = useId();

  const open = useCallback(() => {
    setError(undefined);
    setSaved(undefined);
    dialog.current?.showModal();
    api.connectionSettings().then(
      (v) => {
        setView(v);
        setForm(formOf(v));
      },
      (failure: unknown) => setError(failure),
    );
  }, [api]);
  useEffect(() => {
    useConnectionSettings.setState({ open });
    return () => useConnectionSettings.setState({ open: undefined });
  }, [open]);

  const set = (patch: Partial<ConnectionForm>) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setSaved(undefined);
  };
  const fieldError = (name: keyof ConnectionForm) =>
    errorField(error) === name ? fieldMessage(error) : undefined;
  const generalError =
    error && !(errorField(error) && errorField(error)! in (form ?? {})) ? errorMessage(error) : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    setSaving(true);
    setError(undefined);
    try {
      const next = await api.saveConnection(form);
      setView(next);
      setForm(formOf(next));
      setSaved(
        next.overridden
          ? 'Saved. They apply when the runner is started without the tor it was given.'
          : next.pending
            ? 'Saved. They apply the next time the runner starts, or when you press Retry.'
            : 'Saved. Tor is connecting again with these settings.',
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  return (
    <dialog ref={dialog} className="settings-dialog" aria-labelledby={titleId}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="settings-head">
          <h2 id={titleId}>Connection settings</h2>
          <p className="muted">
            How this runner reaches the Tor network. Change them if Tor can’t connect, for example where Tor
            is blocked.
          </p>
        </div>
        {!form || !view ? (
          <p className="muted" role="status">
            {error ? errorMessage(error) : 'Loading…'}
          </p>
        ) : (
          <SettingsFields view={view} form={form} set={set} fieldError={fieldError} />
        )}
        {view?.overridden && (
          <p className="warn-text">This run does not use these settings: {view.overridden}.</p>
        )}
        {view?.pending && !saved && (
          <p className="form-note">Saved settings wait for the next start, or Retry.</p>
        )}
        <p className="error-text" role="alert">
          {generalError}
        </p>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!form || saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
          <span className="form-status" role="status">
            {saved}
          </span>
        </div>
      </form>
    </dialog>
  );
}

function Choice({
  name,
  checked,
  onChange,
  title,
  children,
}: {
  name: string;
  checked: boolean;
  onChange(): void;
  title: string;
  children?: ReactNode;
}) {
  return (
    <label className="rule-option">
      <input type="radio" name={name} checked={checked} onChange={onChange} />
      <span className="rule-option-text">
        <strong className="rule-option-title">{title}</strong>
        {children ? <> {children}</> : null}
      </span>
    </label>
  );
}

function SettingsFields({
  view,
  form,
  set,
  fieldError,
}: {
  view: ConnectionView;
  form: ConnectionForm;
  set(patch: Partial<ConnectionForm>): void;
  fieldError(name: keyof ConnectionForm): string | undefined;
}) {
  const torName = useId();
  const bridgeName = useId();
  const own = form.tor === 'managed';
  const missing =
    own &&
    (form.bridges === 'obfs4' || form.bridges === 'snowflake') &&
    view.transports[form.bridges] === null
      ? form.bridges
      : own && form.bridges === 'custom'
        ? (['obfs4', 'snowflake'] as const).find(
            (t) =>
              view.transports[t] === null &&
              new RegExp(`^\\s*(bridge\\s+)?${t}\\s`, 'im').test(form.customBridges),
          )
        : undefined;
  return (
    <>
      <fieldset>
        <legend>Tor</legend>
        <div className="settings-options">
          <Choice
            name={torName}
            checked={own}
            onChange={() => set({ tor: 'managed' })}
            title="Start a tor for this app."
          >
            Recommended: it connects by itself, with a bridge or a proxy if you set one below.
          </Choice>
          <Choice
            name={torName}
            checked={form.tor === 'attached'}
            onChange={() => set({ tor: 'attached' })}
            title="Use a tor already running on this computer."
          >
            Tor Browser (while it is open) or your system’s tor.
          </Choice>
          <Choice
            name={torName}
            checked={form.tor === 'external'}
            onChange={() => set({ tor: 'external' })}
            title="Use my own tor and onion service."
          >
            For people who set up tor themselves.
          </Choice>
        </div>
      </fieldset>

      {form.tor === 'attached' && (
        <div className="field-grid">
          <Field
            label="Control port"
            hint="Tor Browser: 9151. The system’s tor: 9051."
            error={fieldError('controlPort')}
          >
            {(control) => (
              <input
                {...control}
                inputMode="numeric"
                value={form.controlPort}
                onChange={(e) => set({ controlPort: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Control password (if it has one)"
            hint={
              view.control?.passwordSaved
                ? otherControl(view, form)
                  ? `The saved password is for ${view.control.host}:${view.control.port} only: it will not be sent to this control port. Type this one’s, if it has one.`
                  : 'A password is saved: leave empty to keep it.'
                : 'Usually none.'
            }
            error={fieldError('controlPassword')}
          >
            {(control) => (
              <input
                {...control}
                type="password"
                autoComplete="off"
                value={form.controlPassword}
                onChange={(e) => set({ controlPassword: e.target.value })}
              />
            )}
          </Field>
        </div>
      )}

      {form.tor === 'external' && (
        <div className="field-grid">
          <Field
            label="Your tor’s SOCKS proxy"
            hint="For example socks5h://127.0.0.1:9050"
            error={fieldError('socksUrl')}
          >
            {(control) => (
              <input {...control} value={form.socksUrl} onChange={(e) => set({ socksUrl: e.target.value })} />
            )}
          </Field>
          <Field
            label="Your onion service’s address"
            hint="The .onion address your tor publishes for this runner."
            error={fieldError('onionAddress')}
          >
            {(control) => (
              <input
                {...control}
                value={form.onionAddress}
                onChange={(e) => set({ onionAddress: e.target.value })}
              />
            )}
          </Field>
        </div>
      )}

      {own && (
        <fieldset>
          <legend>Bridges</legend>
          <p className="field-hint settings-intro">
            If Tor is blocked where you are, a bridge helps you connect.
          </p>
          <div className="settings-options">
            <Choice
              name={bridgeName}
              checked={form.bridges === 'none'}
              onChange={() => set({ bridges: 'none' })}
              title="No bridge."
            >
              Connect to Tor directly.
            </Choice>
            <Choice
              name={bridgeName}
              checked={form.bridges === 'obfs4'}
              onChange={() => set({ bridges: 'obfs4' })}
              title="Built-in obfs4 bridges."
            >
              Tor Browser’s {view.builtin.obfs4} bridges; make Tor look like other traffic.
            </Choice>
            <Choice
              name={bridgeName}
              checked={form.bridges === 'snowflake'}
              onChange={() => set({ bridges: 'snowflake' })}
              title="Snowflake."
            >
              Goes through volunteers’ browsers; slower, often works where others are blocked.
            </Choice>
            <Choice
              name={bridgeName}
              checked={form.bridges === 'custom'}
              onChange={() => set({ bridges: 'custom' })}
              title="Bridges I was given."
            >
              From bridges.torproject.org or a friend.
            </Choice>
          </div>
          {form.bridges === 'custom' && (
            <Field
              label="Bridge lines, one per line"
              hint="Lines like: obfs4 1.2.3.4:443 FINGERPRINT cert=… iat-mode=0"
              error={fieldError('customBridges')}
            >
              {(control) => (
                <textarea
                  {...control}
                  rows={4}
                  spellCheck={false}
                  className="mono-input"
                  value={form.customBridges}
                  onChange={(e) => set({ customBridges: e.target.value })}
                />
              )}
            </Field>
          )}
          {missing && (
            <p className="warn-text">
              {missing === 'obfs4'
                ? 'obfs4 bridges need a program that is not on this computer: install obfs4proxy (Debian and Ubuntu: apt install obfs4proxy).'
                : 'Snowflake needs a program that is not on this computer: install snowflake-client (Debian and Ubuntu: apt install snowflake-client).'}
            </p>
          )}
        </fieldset>
      )}

      {own && (
        <fieldset>
          <legend>Proxy</legend>
          <p className="field-hint settings-intro">Only if your network lets you out through a proxy.</p>
          <div className="field-grid">
            <Field label="Proxy type" error={fieldError('proxyType')}>
              {(control) => (
                <select
                  {...control}
                  value={form.proxyType}
                  onChange={(e) => set({ proxyType: e.target.value as ConnectionForm['proxyType'] })}
                >
                  <option value="none">No proxy</option>
                  <option value="socks5">SOCKS5</option>
                  <option value="socks4">SOCKS4</option>
                  <option value="https">HTTPS</option>
                </select>
              )}
            </Field>
            {form.proxyType !== 'none' && (
              <>
                <Field label="Address" error={fieldError('proxyHost')}>
                  {(control) => (
                    <input
                      {...control}
                      placeholder="192.168.1.10"
                      value={form.proxyHost}
                      onChange={(e) => set({ proxyHost: e.target.value })}
                    />
                  )}
                </Field>
                <Field label="Port" error={fieldError('proxyPort')}>
                  {(control) => (
                    <input
                      {...control}
                      inputMode="numeric"
                      placeholder={form.proxyType === 'https' ? '443' : '1080'}
                      value={form.proxyPort}
                      onChange={(e) => set({ proxyPort: e.target.value })}
                    />
                  )}
                </Field>
              </>
            )}
          </div>
          {(form.proxyType === 'socks5' || form.proxyType === 'https') && (
            <div className="field-grid">
              <Field label="User name (if it asks)" error={fieldError('proxyUsername')}>
                {(control) => (
                  <input
                    {...control}
                    autoComplete="off"
                    value={form.proxyUsername}
                    onChange={(e) => set({ proxyUsername: e.target.value })}
                  />
                )}
              </Field>
              <Field
                label="Password"
                hint={
                  view.proxy?.passwordSaved && otherProxy(view, form)
                    ? 'The saved password is for the saved proxy only: it will not be sent to this one. Type this proxy’s password, if it asks for one.'
                    : view.proxy?.passwordSaved && form.keepProxyPassword
                      ? 'A password is saved: leave empty to keep it.'
                      : undefined
                }
                error={fieldError('proxyPassword')}
              >
                {(control) => (
                  <input
                    {...control}
                    type="password"
                    autoComplete="off"
                    value={form.proxyPassword}
                    onChange={(e) => set({ proxyPassword: e.target.value })}
                  />
                )}
              </Field>
            </div>
          )}
          {view.proxy?.passwordSaved && form.proxyType !== 'none' && !otherProxy(view, form) && (
            <label className="check">
              <input
                type="checkbox"
                checked={!form.keepProxyPassword}
                onChange={(e) => set({ keepProxyPassword: !e.target.checked })}
              />{' '}
              Forget the saved password
            </label>
          )}
        </fieldset>
      )}

      <details>
        <summary>Details</summary>
        <ul className="settings-details">
          <li className="break">
            obfs4 program: {view.transports.obfs4 ?? 'not found (install obfs4proxy or lyrebird)'}
          </li>
          <li className="break">
            Snowflake program: {view.transports.snowflake ?? 'not found (install snowflake-client)'}
          </li>
          <li>Saved in the runner’s data folder, in connection.json (only you can read it).</li>
          <li>
            Command line: --bridge LINE, --bridges-file FILE, --builtin-bridges obfs4|snowflake,
            --upstream-proxy URL.
          </li>
        </ul>
      </details>
    </>
  );
}
