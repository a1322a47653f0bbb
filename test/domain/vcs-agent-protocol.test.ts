import { poolOfApiHost, poolNameProblem } from '../../src/domain/api-hosts';
import { bodyFrameHeader, decodeBodyFrame, downFrameSchema, parseFrame, upFrameSchema } from '../../src/domain/vcs-agent-protocol';

describe('the VCS agent wire protocol', () => {
  it('reads a body message\'s request id and bytes however it was split into fragments', () => {
    const header = bodyFrameHeader(0xfffffffe);
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    // As the agent sends it: the header, then the chunk.
    expect(decodeBodyFrame([header, bytes])).toEqual({ id: 0xfffffffe, chunks: [bytes] });
    // One contiguous message, and one split inside its header.
    const whole = Uint8Array.from([...header, ...bytes]);
    expect(decodeBodyFrame([whole])).toEqual({ id: 0xfffffffe, chunks: [bytes] });
    expect(decodeBodyFrame([whole.subarray(0, 2), whole.subarray(2, 6), whole.subarray(6)])).toEqual({ id: 0xfffffffe, chunks: [bytes] });
    expect(decodeBodyFrame([header])).toEqual({ id: 0xfffffffe, chunks: [] });
    expect(decodeBodyFrame([Uint8Array.from([0, 1])])).toBeNull();
    expect(decodeBodyFrame([Uint8Array.from([0, 1]), Uint8Array.from([2])])).toBeNull();
    expect(decodeBodyFrame([])).toBeNull();
  });

  it('accepts only the frames of each direction', () => {
    const http = { type: 'http', id: 1, method: 'GET', path: '/rest/api/latest/repos', headers: { accept: ['application/json'] }, timeoutMs: 1000, window: 1024 };
    expect(parseFrame(downFrameSchema, JSON.stringify(http))).toEqual(http);
    expect(parseFrame(downFrameSchema, JSON.stringify({ ...http, method: 'TRACE' }))).toBeNull();
    expect(parseFrame(upFrameSchema, JSON.stringify(http))).toBeNull();
    expect(parseFrame(upFrameSchema, JSON.stringify({ type: 'http_response', id: 1, status: 200, headers: { 'set-cookie': ['a', 'b'] } }))).not.toBeNull();
    expect(parseFrame(upFrameSchema, '{not json')).toBeNull();
  });

  it('reads the pool of a private:// apiHost and checks pool names', () => {
    expect(poolOfApiHost('private://vcs-agent-pool-name')).toBe('vcs-agent-pool-name');
    expect(poolOfApiHost('private://pool/')).toBe('pool');
    expect(poolOfApiHost('private://pool/path')).toBeNull();
    expect(poolOfApiHost('https://bitbucket.example.com')).toBeNull();
    expect(poolNameProblem('dc.pool_1-a')).toBeNull();
    expect(poolNameProblem('-pool')).not.toBeNull();
    expect(poolNameProblem('a'.repeat(64))).not.toBeNull();
  });
});
