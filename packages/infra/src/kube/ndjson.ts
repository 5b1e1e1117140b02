/**
 * Splits a byte stream into lines, as a watch answer arrives: the apiserver writes one JSON event
 * per line, but TCP hands them over in arbitrary chunks, cut mid-line and even mid-character.
 */
import { StringDecoder } from 'node:string_decoder';

/** Feeds chunks in, gets the complete lines out; blank lines (keep-alives) are dropped. */
export interface LineSplitter {
  /** The lines this chunk completes, in order. */
  push(chunk: Buffer | string): string[];
  /** The last line when the stream ended without a trailing newline. */
  end(): string[];
}

/** A splitter for one stream. */
export function createLineSplitter(): LineSplitter {
  // A StringDecoder holds back the bytes of a character cut in two until the rest arrives.
  const decoder = new StringDecoder('utf8');
  // The pieces of the unfinished line; joined once when its newline comes, so a large object
  // spread over many chunks is not re-scanned per chunk.
  let pending: string[] = [];
  const complete = (lines: string[]) => lines.filter((l) => l.trim() !== '');
  return {
    push(chunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let nl = text.indexOf('\n');
      if (nl === -1) {
        if (text !== '') pending.push(text);
        return [];
      }
      pending.push(text.slice(0, nl));
      const lines = [pending.join('')];
      pending = [];
      let start = nl + 1;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        lines.push(text.slice(start, nl));
        start = nl + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
      return complete(lines);
    },
    end() {
      const last = pending.join('') + decoder.end();
      pending = [];
      return complete([last]);
    },
  };
}
