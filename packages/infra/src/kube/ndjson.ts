/**
 * Splits a byte stream into lines, as a watch answer arrives: the apiserver writes one JSON event
 * per line, but TCP hands them over in arbitrary chunks, cut mid-line and even mid-character.
 */
import { StringDecoder } from 'node:string_decoder';
import { ErrorCode, GitwardError } from '@gitward/model';

/** Feeds chunks in, gets the complete lines out; blank lines (keep-alives) are dropped. */
export interface LineSplitter {
  /** The lines this chunk completes, in order. */
  push(chunk: Buffer | string): string[];
  /** The last line when the stream ended without a trailing newline. */
  end(): string[];
}

/**
 * A splitter for one stream. A line longer than `maxLineLength` characters (default 64 Mi, far
 * above the largest object etcd stores) throws: a stream that never sends a newline must not
 * grow the buffer without bound.
 */
export function createLineSplitter(maxLineLength = 64 * 1024 * 1024): LineSplitter {
  // A StringDecoder holds back the bytes of a character cut in two until the rest arrives.
  const decoder = new StringDecoder('utf8');
  // The pieces of the unfinished line; joined once when its newline comes, so a large object
  // spread over many chunks is not re-scanned per chunk.
  let pending: string[] = [];
  let pendingLength = 0;
  const hold = (piece: string) => {
    pendingLength += piece.length;
    if (pendingLength > maxLineLength)
      throw new GitwardError(
        ErrorCode.KubeRequestFailed,
        `a line of the stream is longer than ${maxLineLength} characters`,
      );
    pending.push(piece);
  };
  const complete = (lines: string[]) => lines.filter((l) => l.trim() !== '');
  return {
    push(chunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let nl = text.indexOf('\n');
      if (nl === -1) {
        if (text !== '') hold(text);
        return [];
      }
      hold(text.slice(0, nl));
      const lines = [pending.join('')];
      pending = [];
      pendingLength = 0;
      let start = nl + 1;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        lines.push(text.slice(start, nl));
        start = nl + 1;
      }
      if (start < text.length) hold(text.slice(start));
      return complete(lines);
    },
    end() {
      const last = pending.join('') + decoder.end();
      pending = [];
      pendingLength = 0;
      return complete([last]);
    },
  };
}
