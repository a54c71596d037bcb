// Invitations (docs/PROTOCOL.md §11.1): a link a person sends a friend so that the friend's app
// opens on the join screen, filled in. It carries the organizer's address and, once the election
// has started, its id, which the joiner's runner checks against the genesis it fetches.
//
//   onion-election://join/<address>[?election=<64 hex digits>]
//
// The desktop app registers the scheme (electron-builder `protocols`); the command line's -p and
// the join form also take a bare address or an http://<address>/ URL, as people paste them.
import { check } from '../crypto/errors';
import { parsePeerAddress } from './address';

export const INVITATION_SCHEME = 'onion-election';

export interface Invitation {
  /** The organizer's canonical peer address. */
  readonly address: string;
  /** The election id, when the link names one (after the start). */
  readonly electionId?: string;
}

export function formatInvitation(address: string, electionId?: string): string {
  const canonical = parsePeerAddress(address, 'address').address;
  return `${INVITATION_SCHEME}://join/${canonical}${electionId ? `?election=${electionId}` : ''}`;
}

/**
 * An invitation link, a bare address, or http://<address>/ (a path after it is ignored), with
 * surrounding spaces (a paste) trimmed. Throws a ValidationError naming `field`.
 */
export function parseInvitation(value: unknown, field = 'invitation'): Invitation {
  check(typeof value === 'string', field, 'must be text');
  const text = value.trim();
  check(text.length > 0 && text.length <= 300, field, 'must be an invitation link or a peer address');
  const link = new RegExp(`^${INVITATION_SCHEME}://join/([^?#/]+)/?(?:\\?election=([^&#]*))?$`, 'i').exec(
    text,
  );
  if (link) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(link[1]!);
    } catch {
      return check(false, field, 'has a malformed %-escape in its address') as never;
    }
    const address = parsePeerAddress(decoded, field).address;
    if (link[2] === undefined) return { address };
    check(/^[0-9a-f]{64}$/.test(link[2]), field, 'names an election id that is not 64 lowercase hex digits');
    return { address, electionId: link[2] };
  }
  check(
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^https?:\/\//i.test(text),
    field,
    `must be an ${INVITATION_SCHEME}:// link, an http:// address or a bare address`,
  );
  const bare = text.replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  return { address: parsePeerAddress(bare, field).address };
}

/**
 * The invitation link among a program's arguments (how Windows and Linux hand a clicked link to
 * the desktop app), if one is there and reads as an invitation; anything else is ignored.
 */
export function invitationInArgs(argv: readonly string[]): string | undefined {
  const link = argv.find((a) => a.toLowerCase().startsWith(`${INVITATION_SCHEME}://`));
  if (link === undefined) return undefined;
  try {
    parseInvitation(link);
    return link.trim();
  } catch {
    return undefined;
  }
}
