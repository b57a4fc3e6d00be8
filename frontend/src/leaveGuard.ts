// Leaving a page with unsaved work: the page registers a guard; the shell asks it before
// any in-app navigation (menu, brand, links, back button) and before signing out.

/** Resolves true when the page may be left (its work is saved, or the user agreed to lose it). */
export type LeaveGuard = () => Promise<boolean>;

export interface FlushSteps {
  /** Whether anything is not saved yet (read again after saving). */
  isDirty: () => boolean;
  /** Saves now; resolves false when the save failed or conflicted. */
  save: () => Promise<boolean>;
  /** Asks the user whether to leave anyway. */
  confirm: () => boolean;
}

/** Save first, then leave; only when that fails is the user asked. Nothing edited is
 * dropped without a question. */
export async function flushBeforeLeave({ isDirty, save, confirm }: FlushSteps): Promise<boolean> {
  if (!isDirty()) return true;
  let saved = false;
  try {
    saved = await save();
  } catch {
    saved = false;
  }
  if (saved && !isDirty()) return true;
  return confirm();
}

/** The route part of a location hash: "#/flows/3?x" -> "flows/3". */
export function routeOf(hash: string): string {
  return hash.replace(/^#\/?/, "").split("?")[0].replace(/\/+$/, "");
}

/** Whether going from one hash to another leaves the page (not just a re-read of it). */
export function leavesPage(from: string, to: string): boolean {
  return routeOf(from) !== routeOf(to);
}
