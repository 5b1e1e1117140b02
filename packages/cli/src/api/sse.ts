/**
 * A Server-Sent Events parser (the WHATWG event-stream format) fed with text chunks as they
 * arrive. Chunks end anywhere, in the middle of a line or between the CR and LF of a line break,
 * so all state lives here and not in the caller's read loop.
 */

export interface SseEvent {
  /** The `event:` field; `message` when the server sent none. */
  readonly event: string;
  /** The `data:` lines of the event joined with `\n`. */
  readonly data: string;
  readonly id?: string;
}

export interface SseParser {
  /** Feeds decoded text; calls `onEvent` for each complete event, synchronously. */
  push(chunk: string): void;
  /** The stream ended: a trailing event without its blank line is dropped, as the spec says. */
  end(): void;
}

export function createSseParser(onEvent: (e: SseEvent) => void): SseParser {
  let partial = '';
  // A chunk that ended in CR: if the next starts with LF, that LF belongs to the same break.
  let afterCr = false;
  let data: string[] = [];
  let event = '';
  let id: string | undefined;

  const dispatch = (): void => {
    const lines = data;
    const name = event || 'message';
    data = [];
    event = '';
    if (lines.length === 0) return;
    const e = { event: name, data: lines.join('\n') };
    onEvent(id === undefined ? e : { ...e, id });
  };

  const line = (text: string): void => {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.startsWith(':')) return; // a comment: servers send them as keep-alives
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
    // `retry:` and unknown fields are ignored: reconnecting is the caller's decision.
  };

  return {
    push(chunk: string): void {
      // Empty chunks happen (a decoder holding half a character) and must not reset afterCr.
      if (chunk === '') return;
      let text = chunk;
      if (afterCr && text.startsWith('\n')) text = text.slice(1);
      afterCr = false;
      let buf = partial + text;
      for (let at = buf.search(/[\r\n]/); at >= 0; at = buf.search(/[\r\n]/)) {
        const ch = buf[at];
        const rest = buf.slice(at + 1);
        line(buf.slice(0, at));
        if (ch === '\r' && rest === '') afterCr = true;
        buf = ch === '\r' && rest.startsWith('\n') ? rest.slice(1) : rest;
      }
      partial = buf;
    },
    end(): void {
      partial = '';
      data = [];
      event = '';
    },
  };
}
