/**
 * `-o/--output` of the admin-side commands (repo, repocreds, cluster, proj, account, version):
 * one Option builder, so every command lists and checks its formats the same way (a wrong
 * format is a usage error naming the choices), and one renderer from a format to lines.
 */
import { Option } from 'commander';
import { formatJson, formatYaml } from '../format/index.ts';

/** `-o, --output <format>` limited to `formats`, the first one being the default. */
export function outputOption(formats: readonly [string, ...string[]]): Option {
  return new Option('-o, --output <format>', `output format: ${formats.join('|')}`)
    .choices(formats)
    .default(formats[0]);
}

/**
 * The lines for `format`: json and yaml print `value` whole; any other format is a table or a
 * column, which `text` renders.
 */
export function renderAs(value: unknown, format: string, text: (format: string) => string[]) {
  if (format === 'json') return [formatJson(value)];
  if (format === 'yaml') return [formatYaml(value)];
  return text(format);
}
