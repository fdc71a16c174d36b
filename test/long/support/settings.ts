/**
 * Every setting's name, from where the code and the deployment declare them: serverless.yml (the provider's
 * environment and each function's, read as text, variables unresolved), the settings schema, and the senders'
 * registry (API URL and options).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_NAMES } from '../../../lib/settings';
import { SENDER_NAMES, senderEntry } from '../../../lib/senders/registry';
import { ROOT } from './markdown';

/** The keys of every `environment:` map under `provider:` and under each of `functions:`. */
export function serverlessEnvironmentNames(yamlText = readFileSync(join(ROOT, 'serverless.yml'), 'utf8')): string[] {
  const names: string[] = [];
  let section = '';
  let environmentIndent: number | undefined;
  let keyIndent: number | undefined;
  for (const raw of yamlText.split('\n')) {
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0) section = raw.replace(/:.*$/, '').trim();
    if (environmentIndent !== undefined) {
      if (indent <= environmentIndent) {
        environmentIndent = undefined;
        keyIndent = undefined;
      } else {
        keyIndent ??= indent;
        const key = /^\s*([A-Za-z_][\w]*)\s*:/.exec(raw);
        if (indent === keyIndent && key) names.push(key[1]!);
        continue;
      }
    }
    if ((section === 'provider' || section === 'functions') && /^\s*environment:\s*(#.*)?$/.test(raw)) environmentIndent = indent;
  }
  return names;
}

/** The senders' own settings: each API URL and each adapter option. */
export function senderSettingNames(): string[] {
  return SENDER_NAMES.flatMap((name) => {
    const entry = senderEntry(name);
    return [entry.apiUrl.setting, ...Object.values(entry.options ?? {}).map((o) => o.setting)];
  });
}

export function allSettingNames(): string[] {
  return [...new Set([...serverlessEnvironmentNames(), ...SETTING_NAMES, ...senderSettingNames()])];
}
