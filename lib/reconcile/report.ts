/** The run's report for people: a summary and one row per drift item, in plain text; for a plan, its writes. */
import type { ReconcileResult } from './door';

const pad = (rows: string[][]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
};

export function formatReport(report: ReconcileResult): string {
  const lines: string[] = [];
  const d = report.drift;
  if (report.plan) lines.push('PLAN (dry run): nothing below was applied or stored; "applied" means the run would apply it.');
  lines.push(
    `reconcile ${report.sender}, run ${report.runId}${report.resumed ? ' (resumed)' : ''}, ${report.mode === 'queue' ? 'through the queue' : 'applied now'}${report.force ? ', --force' : ''}`,
  );
  lines.push(
    `roster: ${report.roster.people} people (${report.roster.active} active); DocSpace: ${report.docspace.members} members in ${report.docspace.pages} page(s); managed by ${report.sender}: ${report.managed}, newly matched: ${report.matched}`,
  );
  lines.push(
    `drift: ${d.missing} missing, ${d.reactivate} to enable, ${d.type} type, ${d.contacts} contacts, ${d.deactivate} to disable${report.contactsCompared ? '' : ' (contacts not compared: this server cannot change them)'}`,
  );
  if (report.threshold.tripped) {
    lines.push(
      `SAFETY THRESHOLD: ${report.threshold.disables} disables and ${report.threshold.downgrades} downgrades exceed ${report.threshold.maxDisable} or ${report.threshold.maxDisablePercent} % of ${report.managed} managed members; ` +
        (report.force ? 'applied anyway (--force)' : 'disables and downgrades held back; run again with --force to apply them'),
    );
  }
  if (report.items.length > 0) {
    lines.push('');
    lines.push(
      ...pad([
        ['kind', 'e-mail', 'what differs', 'status', 'outcome'],
        ...report.items.map((i) => [i.kind, i.email, i.detail, i.status, i.outcome ?? '']),
      ]),
    );
    lines.push('');
  }
  lines.push(
    `applied ${report.applied}, queued ${report.queued}, held back ${report.heldBack}, failed ${report.failed}, left for the next run ${report.notAttempted}; ` +
      `${report.complete ? 'run complete' : 'run NOT complete: the next run resumes it'}`,
  );
  const s = report.skipped;
  lines.push(
    `left alone: owner ${s.owner ?? 0}, managed by another sender or SCIM ${s.otherManager ?? 0}, not in the roster and unmanaged ${s.unmanaged ?? 0}; roster records without e-mail ${s.noEmail ?? 0}, role not in ROLE_MAP ${s.unknownRole ?? 0}`,
  );
  lines.push(`API calls: roster ${report.calls.roster}, DocSpace reads ${report.calls.docspaceReads}`);
  if (report.plan) {
    lines.push('', `the run would make ${report.plan.plan.length} DocSpace write(s), in this order:`);
    for (const w of report.plan.plan)
      lines.push(
        `  ${w.method} ${w.path}${w.body === undefined ? '' : ` ${JSON.stringify(w.body)}`}${w.creates ? `   (${w.creates})` : ''}`,
      );
  }
  return lines.join('\n');
}
