// Splits a watch response body into events. The server writes one JSON object per line; chunks
// can end mid-line (and mid-character, which setEncoding('utf8') on the stream takes care of).

import type { KubeObject } from '../core/types.js';
import { isPlainObject } from '../core/json.js';
import type { Status } from '../core/status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: WatchEventType; object: T }
  | { type: 'ERROR'; object: Status };

const eventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export class WatchLineDecoder<T extends KubeObject = KubeObject> {
  private pending = '';

  constructor(private readonly onEvent: (event: WatchEvent<T>) => void) {}

  /** Feeds a decoded text chunk; emits every complete line. Throws on a malformed event. */
  write(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      this.pending += chunk;
      return;
    }
    // First line may continue what the previous chunk left pending.
    this.emitLine(this.pending + chunk.slice(0, nl));
    this.pending = '';
    start = nl + 1;
    for (nl = chunk.indexOf('\n', start); nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.emitLine(chunk.slice(start, nl));
      start = nl + 1;
    }
    this.pending = chunk.slice(start);
  }

  /** Emits a last line that had no trailing newline. */
  end(): void {
    const rest = this.pending;
    this.pending = '';
    this.emitLine(rest);
  }

  private emitLine(line: string): void {
    if (line.trim() === '') return;
    const parsed: unknown = JSON.parse(line);
    if (!isPlainObject(parsed) || typeof parsed['type'] !== 'string' || !eventTypes.has(parsed['type'])) {
      throw new Error(`watch: malformed event: ${line.slice(0, 200)}`);
    }
    if (!isPlainObject(parsed['object'])) throw new Error(`watch: event without object: ${line.slice(0, 200)}`);
    this.onEvent(parsed as unknown as WatchEvent<T>);
  }
}
