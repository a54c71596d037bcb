import { useEffect, useId, useState } from 'react';
import {
  notificationsAvailable,
  notificationsWanted,
  setNotifications,
  watchForNotices,
} from '../../lib/notifications';

/**
 * "Notify me": desktop notifications when voting begins and ends, when this participant's ballot is
 * in, and when the result is verified. Off until asked for (a browser asks its own permission).
 */
export function NotificationsToggle() {
  const id = useId();
  const [on, setOn] = useState(() => notificationsWanted());
  const [refused, setRefused] = useState(false);
  useEffect(() => watchForNotices(), []);
  if (!notificationsAvailable()) return null;
  const change = async (wanted: boolean) => {
    const now = await setNotifications(wanted);
    setOn(now);
    setRefused(wanted && !now);
  };
  return (
    <div className="notifications-toggle">
      <label htmlFor={id} className="checkbox">
        <input id={id} type="checkbox" checked={on} onChange={(e) => void change(e.target.checked)} />
        Notify me when voting begins and ends, when my ballot is in, and when the result is verified
      </label>
      {refused && (
        <p className="field-error" role="status">
          This browser does not allow notifications from this page: allow them in its site settings, then try
          again.
        </p>
      )}
    </div>
  );
}
