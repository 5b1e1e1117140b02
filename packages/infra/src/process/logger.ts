/**
 * The processes' one logger: pino, writing JSON lines with string levels and RFC 3339 times
 * (`{"level":"info","time":"2026-...Z","msg":...}`, as Flux and Argo CD's JSON format log), or
 * logrus-style text lines (`time="..." level=info msg="..." key=value`, Argo CD's default) with
 * `--log-format text`. Redaction runs before either format, so secrets stay out of both.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { ErrorCode, GitwardError } from '@gitward/model';

export const logFormats = ['json', 'text'] as const;
export type LogFormat = (typeof logFormats)[number];

/** `--log-format` / GITWARD_LOG_FORMAT; an unknown value fails startup, naming the choices. */
export function logFormatOf(v: string | undefined): LogFormat {
  const format = v ?? 'json';
  if (!(logFormats as readonly string[]).includes(format))
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `--log-format must be ${logFormats.join(' or ')}, got ${JSON.stringify(format)}`,
    );
  return format as LogFormat;
}

/** Fields whose values are censored wherever they appear one level down (`{app: {token}}`). */
const redactPaths = [
  '*.password',
  '*.token',
  '*.newPassword',
  '*.currentPassword',
  '*.bearerToken',
  '*.keyData',
  '*.sshPrivateKey',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  /** `controller` or `server`: every line carries it. */
  readonly component: string;
  readonly level: string;
  readonly format: LogFormat;
  /** Where lines go; stdout by default (tests pass a collector). */
  readonly write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => void process.stdout.write(line));
  const destination: DestinationStream = {
    write:
      opts.format === 'text'
        ? (line) => write(`${textLine(JSON.parse(line) as Record<string, unknown>)}\n`)
        : write,
  };
  return pino(
    {
      level: opts.level,
      base: { component: opts.component },
      redact: redactPaths,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** Keys printed first, in this order; the rest follow as pino wrote them. */
const leading = ['time', 'level', 'msg'];

/**
 * One JSON log record as a logrus text line: `key=value` pairs, a value quoted when it has a space,
 * a quote, `=` or is empty; objects and arrays as JSON.
 */
export function textLine(record: Readonly<Record<string, unknown>>): string {
  const keys = [
    ...leading.filter((k) => Object.hasOwn(record, k)),
    ...Object.keys(record).filter((k) => !leading.includes(k)),
  ];
  return keys.map((k) => `${k}=${textValue(record[k])}`).join(' ');
}

function textValue(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s === '' || /[\s"=\\]/.test(s) ? JSON.stringify(s) : s;
}
