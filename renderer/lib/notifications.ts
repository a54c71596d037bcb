// Desktop notifications of what a participant waits for: a phase begins, their ballot is in, the
// result is verified. Through the web Notification API, which Electron's renderer turns into the
// system's notifications and a browser shows once the user allows it. Only changes seen while the
// dashboard is open are told (never the state found on opening it), each once.
import { useEngineStore } from '../store';
import { noticesBetween } from './notices';

const STORAGE_KEY = 'onion-election.notifications';

/** Whether this page can show notifications at all. */
export function notificationsAvailable(): boolean {
  return typeof Notification !== 'undefined';
}

/** Whether the user asked for notifications here (and the page may still show them). */
export function notificationsWanted(): boolean {
  return (
    notificationsAvailable() &&
    Notification.permission === 'granted' &&
    localStorage.getItem(STORAGE_KEY) === 'on'
  );
}

/**
 * Turns notifications on (asking the browser's permission if it has not been given) or off.
 * Resolves to whether they are on; a refusal by the browser leaves them off.
 */
export async function setNotifications(on: boolean): Promise<boolean> {
  if (!on || !notificationsAvailable()) {
    localStorage.removeItem(STORAGE_KEY);
    return false;
  }
  const permission =
    Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') return false;
  localStorage.setItem(STORAGE_KEY, 'on');
  return true;
}

/** Starts telling state changes as notifications while they are wanted; returns the stop function. */
export function watchForNotices(): () => void {
  let previous = useEngineStore.getState().snapshot?.state;
  return useEngineStore.subscribe((store) => {
    const next = store.snapshot?.state;
    if (next && previous && next !== previous && notificationsWanted()) {
      for (const notice of noticesBetween(previous, next))
        new Notification(notice.title, { body: notice.body, tag: notice.body });
    }
    previous = next;
  });
}
