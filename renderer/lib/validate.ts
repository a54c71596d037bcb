// The forms' checks, against the same limits the engine enforces (LIMITS from the contract).
// The engine checks again: these only let the user fix a mistake before sending it.
import { MAX_MINER_LABEL_BYTES } from '../../main/api/contract';

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A required text of at most `maxBytes` bytes of UTF-8, as the engine's genesis check wants it. */
export function checkText(text: string, maxBytes: number): string | undefined {
  if (text.trim() === '') return 'Required.';
  if (CONTROL.test(text)) return 'No line breaks or control characters, please.';
  const bytes = utf8Bytes(text);
  if (bytes > maxBytes) return `Too long: ${bytes} bytes of at most ${maxBytes}.`;
  return undefined;
}

export function checkName(name: string): string | undefined {
  if (name.trim() === '') return 'Required: the name the others see (a nickname will do).';
  if (CONTROL.test(name)) return 'No control characters, please.';
  const bytes = utf8Bytes(name);
  if (bytes > MAX_MINER_LABEL_BYTES) return `Too long: ${bytes} bytes of at most ${MAX_MINER_LABEL_BYTES}.`;
  return undefined;
}

/** A whole number typed into a field, within [min, max]. */
export function checkWhole(text: string, [min, max]: readonly [number, number]): string | undefined {
  if (text.trim() === '') return 'Required.';
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return 'A whole number, please.';
  if (value < min || value > max) return `Between ${min} and ${max.toLocaleString('en')}.`;
  return undefined;
}

/**
 * The address of a peer, by shape only: an onion v3 address (56 base32 characters + ".onion",
 * optional port) or a loopback address with a port. The engine also checks the onion checksum.
 */
export function checkPeerAddress(text: string): string | undefined {
  const address = text.trim().toLowerCase();
  if (address === '') return 'Required.';
  if (address.includes('://') || /[/?#@\s]/.test(address))
    return `That is not an address: ${ADDRESS_EXAMPLE}.`;
  const onion = /^([a-z2-7]*)\.onion(?::(\d+))?$/.exec(address);
  if (onion) {
    const label = onion[1]!;
    if (label.length === 16) return 'That is an old (v2) onion address; Tor needs a v3 one (56 characters).';
    if (label.length !== 56)
      return `An onion address has 56 characters before ".onion", not ${label.length}.`;
    return checkPort(onion[2], true);
  }
  if (/^[^.]*[^a-z2-7.][^.]*\.onion/.test(address))
    return 'An onion address uses only the letters a–z and the digits 2–7.';
  const loopback = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::(\d*))?$/.exec(address);
  if (loopback) return checkPort(loopback[1], false);
  return `That is not an address: ${ADDRESS_EXAMPLE}.`;
}

const ADDRESS_EXAMPLE =
  'paste the invitation link, or an address of 56 letters and digits ending in .onion (127.0.0.1:PORT for a test on this computer)';

function checkPort(port: string | undefined, optional: boolean): string | undefined {
  if (port === undefined || port === '') return optional ? undefined : 'Add the port, like 127.0.0.1:7001.';
  const value = Number(port);
  return /^[1-9]\d*$/.test(port) && value <= 65535 ? undefined : 'The port is a number from 1 to 65535.';
}

/**
 * Splits pasted text into addresses (by spaces, commas or lines), each with its problem if any.
 * Each is read as the join form reads it, so an invitation link or http://….onion/ gives its address.
 */
export function parsePeerList(text: string): { address: string; problem: string | undefined }[] {
  const seen = new Set<string>();
  const list: { address: string; problem: string | undefined }[] = [];
  for (const typed of text.split(/[\s,;]+/)) {
    if (typed === '') continue;
    const read = readInvitation(typed);
    const address = 'problem' in read ? typed : read.address;
    if (seen.has(address)) continue;
    seen.add(address);
    list.push({ address, problem: 'problem' in read ? read.problem : undefined });
  }
  return list;
}

/** The scheme of invitation links (main/net/invitation.ts: INVITATION_SCHEME). */
export const INVITATION_SCHEME = 'onion-election';
const INVITATION_LINK = new RegExp(`^${INVITATION_SCHEME}://join/([^?#/]+)/?(?:\\?election=([^&#]*))?$`, 'i');

/** What an invitation link or an address names: the organizer's (or a peer's) address, and an election id if any. */
export interface InvitationText {
  readonly address: string;
  readonly electionId?: string;
}

/**
 * An invitation as the join form takes it, read by the rules of main/net/invitation.ts (which
 * needs Node, for the onion checksum): `onion-election://join/<address>[?election=<64 hex>]`, a
 * bare address, or `http(s)://<address>/…` (the path is ignored). Returns what it names, or the
 * problem in words. The engine reads it again, checksum included.
 */
export function readInvitation(text: string): InvitationText | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'Required.' };
  if (trimmed.length > 300) return { problem: 'Too long for an invitation link or an address.' };
  const link = INVITATION_LINK.exec(trimmed);
  if (link) {
    let address: string;
    try {
      address = decodeURIComponent(link[1]!);
    } catch {
      return { problem: 'The link’s address is garbled: copy the whole link again.' };
    }
    const problem = checkPeerAddress(address);
    if (problem) return { problem: `The link’s address: ${lowerFirst(problem)}` };
    if (link[2] === undefined) return { address: canonical(address) };
    if (!/^[0-9a-f]{64}$/.test(link[2]))
      return { problem: 'The link names an election id that is not 64 lowercase hex digits: copy it again.' };
    return { address: canonical(address), electionId: link[2] };
  }
  if (new RegExp(`^${INVITATION_SCHEME}:`, 'i').test(trimmed))
    return {
      problem: `An invitation link reads ${INVITATION_SCHEME}://join/ADDRESS: copy the whole link again.`,
    };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^https?:\/\//i.test(trimmed))
    return { problem: `An ${INVITATION_SCHEME}:// link, an http:// address or a bare address, please.` };
  const bare = trimmed.replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  const problem = checkPeerAddress(bare);
  return problem ? { problem } : { address: canonical(bare) };
}

/** An address as the engine writes it (main/net/address.ts): lowercase, an onion's :80 left out. */
function canonical(address: string): string {
  return address
    .trim()
    .toLowerCase()
    .replace(/\.onion:80$/, '.onion');
}

/** The problem with an invitation link or address typed into the join form, if any. */
export function checkInvitation(text: string): string | undefined {
  const read = readInvitation(text);
  return 'problem' in read ? read.problem : undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
