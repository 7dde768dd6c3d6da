import assert from 'node:assert/strict';
import { test } from 'node:test';

import { lanAddresses, lanInterfaces, type InterfaceTable } from '../../app/lan';

const v4 = (address: string, internal = false) => ({ address, family: 'IPv4', internal });

test('lanInterfaces names each address’s adapter and marks virtual ones, real adapters first', () => {
  const table: InterfaceTable = {
    docker0: [v4('172.17.0.1')],
    lo: [v4('127.0.0.1', true)],
    en0: [v4('192.168.1.20'), { address: 'fe80::1', family: 'IPv6', internal: false }],
    utun3: [v4('100.64.0.7'), v4('192.168.1.20')],
    'Wi-Fi': [v4('169.254.10.2'), v4('10.0.0.5')],
  };
  assert.deepEqual(lanInterfaces(table), [
    { address: '192.168.1.20', interface: 'en0', virtual: false },
    { address: '10.0.0.5', interface: 'Wi-Fi', virtual: false },
    { address: '172.17.0.1', interface: 'docker0', virtual: true },
    { address: '100.64.0.7', interface: 'utun3', virtual: true },
  ]);
  // The URLs the rest of Pier shows are made of exactly these, in this order.
  assert.deepEqual(lanAddresses(table), ['192.168.1.20', '10.0.0.5', '172.17.0.1', '100.64.0.7']);
});
