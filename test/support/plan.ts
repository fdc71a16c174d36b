/** Comparing a plan with what DocSpace then received: placeholders resolved to the ids the real run gave. */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { PlannedWrite } from '../../lib/plan/recorder';
import type { DocSpaceEmulator } from '../../local/emulators/docspace';
import { LOCAL } from '../../local/stack';

type Write = { method: string; path: string; body: unknown };

/** The plan's writes with each `{{member:N}}` replaced by the id of the member the real run created with that e-mail. */
export function resolvedPlan(plan: readonly PlannedWrite[], docspace: DocSpaceEmulator): Write[] {
  const ids = new Map<string, string>();
  for (const w of plan) {
    const email = (w.body as { email?: string } | undefined)?.email;
    if (w.creates && email) ids.set(w.creates, docspace.memberByEmail(email)?.id ?? '?');
  }
  const swap = (text: string) => text.replace(/\{\{member:\d+\}\}/g, (p) => ids.get(p) ?? p);
  return plan.map(({ method, path, body }) => ({
    method,
    path: swap(path),
    body: body === undefined ? undefined : (JSON.parse(swap(JSON.stringify(body))) as unknown),
  }));
}

/** The writes DocSpace received, in the plan's terms. */
export const receivedWrites = (docspace: DocSpaceEmulator): Write[] =>
  docspace.calls({ writes: true }).map(({ method, path, body }) => ({ method, path, body }));

/** Every item of the events table, as dynalite holds it (a plan must leave it as it was). */
export async function tableItems(dynamoDbUrl: string): Promise<string[]> {
  const client = new DynamoDBClient({ endpoint: dynamoDbUrl });
  const { Items = [] } = await client.send(new ScanCommand({ TableName: LOCAL.eventsTable, ConsistentRead: true }));
  client.destroy();
  return Items.map((item) => JSON.stringify(item)).sort();
}
