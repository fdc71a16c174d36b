/** Comparing a plan with what DocSpace then received: placeholders resolved to the ids the real run gave. */
import type { PlannedWrite } from '../../lib/plan/recorder';
import type { DocSpaceEmulator } from '../../local/emulators/docspace';

type Write = { method: string; path: string; body: unknown };

/** The plan's writes with each `{{member:N}}` replaced by the id of the member the real run created with that e-mail. */
export function resolvedPlan(plan: readonly PlannedWrite[], docspace: DocSpaceEmulator): Write[] {
  const ids = new Map<string, string>();
  for (const w of plan) {
    const email = (w.body as { email?: string } | undefined)?.email;
    if (w.creates && email) ids.set(w.creates, docspace.memberByEmail(email)?.id ?? '?');
  }
  const swap = (text: string) => text.replace(/\{\{member:\d+\}\}/g, (p) => ids.get(p) ?? p);
  return plan.map(({ method, path, body }) => ({ method, path: swap(path), body: body === undefined ? undefined : (JSON.parse(swap(JSON.stringify(body))) as unknown) }));
}

/** The writes DocSpace received, in the plan's terms. */
export const receivedWrites = (docspace: DocSpaceEmulator): Write[] => docspace.calls({ writes: true }).map(({ method, path, body }) => ({ method, path, body }));
