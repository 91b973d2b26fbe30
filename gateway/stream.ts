/**
 * Reads of a user's status stream (`order-status:stream:{user_id}`, field `msg` = the JSON the
 * worker published): its current end, the entries after a given id (replay), and whether the
 * entries after that id may have been trimmed away (the stream keeps the last
 * STATUS_STREAM_MAXLEN changes).
 */
import type { Redis } from 'ioredis';
import { redisKeys } from '../src/contract/redis-keys';
import { compareStreamIds, STREAM_START } from './protocol';

export interface StreamEntry {
  id: string;
  json: string;
}

const PAGE = 500;

export interface StatusStream {
  /** The id of the newest entry, or "0-0" when the user has none yet. */
  tail(userId: string): Promise<string>;
  /** Every entry strictly after `afterId`, oldest first. */
  after(userId: string, afterId: string): Promise<StreamEntry[]>;
  /** True when entries after `afterId` may have been trimmed before they could be replayed. */
  mayHaveGap(userId: string, afterId: string): Promise<boolean>;
}

function toEntries(raw: [string, string[]][]): StreamEntry[] {
  const entries: StreamEntry[] = [];
  for (const [id, fields] of raw) {
    const at = fields.indexOf('msg');
    const json = at >= 0 ? fields[at + 1] : undefined;
    if (json !== undefined) entries.push({ id, json });
  }
  return entries;
}

export function createStatusStream(redis: Redis): StatusStream {
  return {
    async tail(userId) {
      const newest = await redis.xrevrange(
        redisKeys.userStatusStream(userId),
        '+',
        '-',
        'COUNT',
        1,
      );
      return newest[0]?.[0] ?? STREAM_START;
    },
    async after(userId, afterId) {
      const key = redisKeys.userStatusStream(userId);
      const entries: StreamEntry[] = [];
      let from = afterId;
      for (;;) {
        const page = await redis.xrange(key, `(${from}`, '+', 'COUNT', PAGE);
        entries.push(...toEntries(page));
        const last = page[page.length - 1];
        if (page.length < PAGE || !last) return entries;
        from = last[0];
      }
    },
    async mayHaveGap(userId, afterId) {
      const key = redisKeys.userStatusStream(userId);
      const oldest = await redis.xrange(key, '-', '+', 'COUNT', 1);
      const first = oldest[0]?.[0];
      if (!first || compareStreamIds(afterId, first) >= 0) return false;
      // The client's id is older than everything kept: a gap unless nothing was ever trimmed.
      const [added, length] = await Promise.all([
        redis.call('XINFO', 'STREAM', key).then((info) => infoField(info, 'entries-added')),
        redis.xlen(key),
      ]);
      return added === undefined || added > length;
    },
  };
}

function infoField(info: unknown, name: string): number | undefined {
  if (!Array.isArray(info)) return undefined;
  const at = info.indexOf(name);
  const value: unknown = at >= 0 ? info[at + 1] : undefined;
  return typeof value === 'number' ? value : undefined;
}
