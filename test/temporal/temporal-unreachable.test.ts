import { describe, expect, it } from 'vitest';
import { cannotReach, connectCause, hostAndPort, socketCause } from '../../src/temporal/temporal-unreachable.js';

describe('hostAndPort', () => {
  it.each([
    ['127.0.0.1:7233', { host: '127.0.0.1', port: 7233 }],
    ['temporal.internal', { host: 'temporal.internal', port: 7233 }],
    ['ops.acct.tmprl.cloud:7233', { host: 'ops.acct.tmprl.cloud', port: 7233 }],
    ['[::1]:7300', { host: '::1', port: 7300 }],
    ['dns:///temporal:7233', undefined],
    ['unix:/run/temporal.sock', undefined],
  ])('%s', (address, expected) => {
    expect(hostAndPort(address)).toEqual(expected);
  });
});

describe('causes', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ENOTFOUND', 'host t.example not found'],
    ['EAI_AGAIN', 'host t.example not found'],
    ['EHOSTUNREACH', 'no route to host'],
    ['ECONNRESET', 'connection reset'],
    ['EACCES', 'EACCES'],
  ])('socket %s → %s', (code, expected) => {
    expect(socketCause(Object.assign(new Error('x'), { code }), 't.example')).toBe(expected);
  });

  it('the readable part of a tonic transport error, on one line', () => {
    const tonic = new Error('tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))');
    expect(connectCause(tonic)).toBe('Connection refused');
  });

  it('a tonic error without a message: the error it wraps (a client key that is no PEM)', () => {
    expect(connectCause(new Error('tonic::transport::Error(Transport, PrivateKeyParseError)'))).toBe('PrivateKeyParseError');
  });

  it('the innermost cause of a client ServiceError, its gRPC details first', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
    expect(connectCause(new Error('Failed to connect to Temporal server', { cause: grpc }))).toBe('No connection established');
  });

  it('one line naming address, namespace, cause and what to do', () => {
    expect(cannotReach({ address: '10.0.0.5:7233', namespace: 'ops' }, 'connection refused').message).toBe(
      'cannot reach Temporal at 10.0.0.5:7233 (namespace ops): connection refused; check TEMPORAL_ADDRESS or start it with ops up',
    );
  });
});
