/**
 * When an install's periodic work runs (re-verification, first-report polls): on slots of its own, `offset + k·period`
 * on the wall clock, the offset a hash of the install id spread over the period. 500 installs onboarded in the same
 * second then re-verify across the whole hour instead of in that second every hour, and since AssumeRole is called as
 * the one vendor principal, whose STS quota every customer shares, that is the difference between 500 calls in one
 * second and fewer than one a second.
 *
 * A hash rather than the workflow's seeded Math.random: the seed changes with every run, so a random offset would move
 * at each continue-as-new (two checks moments apart, or a gap of almost two periods), while the hash gives the same
 * slots to every run, replay and worker. Slots on the wall clock rather than from activation need no state carried
 * across runs. Pure, so the workflow bundle can take it.
 */

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser so that ids differing in one character spread. */
function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** What the slots are for: each purpose gets its own offset, so an install's checks and polls do not coincide. */
export type SlotPurpose = 'reverify' | 'first-report-poll';

/** Where in each period the install's slot falls: from 0 up to (not including) `periodMs`. */
export function slotOffsetMs(installId: string, purpose: SlotPurpose, periodMs: number): number {
  if (!(periodMs > 0)) throw new RangeError(`A slot period must be positive; got ${periodMs}`);
  return Math.floor((hash32(`${installId}/${purpose}`) / 2 ** 32) * periodMs);
}

/** The install's first slot strictly after `afterMs` (epoch milliseconds). */
export function nextSlotAfter(installId: string, purpose: SlotPurpose, periodMs: number, afterMs: number): number {
  const offset = slotOffsetMs(installId, purpose, periodMs);
  return offset + (Math.floor((afterMs - offset) / periodMs) + 1) * periodMs;
}
