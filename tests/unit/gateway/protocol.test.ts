import { describe, expect, it } from 'vitest';
import { compareStreamIds, parseClientMessage, withStreamId } from '../../../gateway/protocol';

describe('stream ids', () => {
  it('orders ids by time, then by sequence, numerically', () => {
    expect(compareStreamIds('1700000000000-0', '1700000000001-0')).toBeLessThan(0);
    expect(compareStreamIds('1700000000000-10', '1700000000000-9')).toBeGreaterThan(0);
    expect(compareStreamIds('999-5', '1000-0')).toBeLessThan(0);
    expect(compareStreamIds('42-1', '42-1')).toBe(0);
    expect(compareStreamIds('0-0', '1-0')).toBeLessThan(0);
  });
});

describe('client messages', () => {
  it('accepts a resume with a stream id and a ping', () => {
    expect(parseClientMessage('{"type":"resume","last_event_id":"1700000000000-3"}')).toEqual({
      type: 'resume',
      last_event_id: '1700000000000-3',
    });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
  });

  it('rejects anything else', () => {
    expect(parseClientMessage('not json')).toBeNull();
    expect(parseClientMessage('{"type":"resume","last_event_id":"yesterday"}')).toBeNull();
    expect(parseClientMessage('{"type":"subscribe","user_id":"x"}')).toBeNull();
    expect(parseClientMessage('[]')).toBeNull();
  });
});

describe('order.update on the wire', () => {
  it('adds the stream id to the published JSON without re-serialising it', () => {
    const json = JSON.stringify({ type: 'order.update', status: 'paid' });
    expect(JSON.parse(withStreamId(json, '5-1'))).toEqual({
      id: '5-1',
      type: 'order.update',
      status: 'paid',
    });
  });
});
