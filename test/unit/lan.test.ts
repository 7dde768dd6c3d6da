import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { lanAddresses, lanUrls, type InterfaceTable } from '../../app/lan';

const v4 = (address: string, internal = false) => ({ address, family: 'IPv4', internal });
const v6 = (address: string, internal = false) => ({ address, family: 'IPv6', internal });

test('lanAddresses lists real adapters before virtual ones, otherwise in OS order', () => {
  const table: InterfaceTable = {
    docker0: [v4('172.17.0.1')],
    'VirtualBox Host-Only Network': [v4('192.168.56.1')],
    eth0: [v4('192.168.1.20')],
    'br-1a2b3c': [v4('172.18.0.1')],
    utun3: [v4('100.64.0.7')],
    'Wi-Fi': [v4('10.0.0.5')],
    vEthernet: [v4('172.30.0.1')],
    tailscale0: [v4('100.100.1.2')],
    'VMware Network Adapter VMnet8': [v4('192.168.200.1')],
    wlan0: [v4('10.1.1.9')],
  };
  assert.deepEqual(lanAddresses(table), [
    '192.168.1.20',
    '10.0.0.5',
    '10.1.1.9',
    '172.17.0.1',
    '192.168.56.1',
    '172.18.0.1',
    '100.64.0.7',
    '172.30.0.1',
    '100.100.1.2',
    '192.168.200.1',
  ]);
});

test('lanAddresses matches virtual adapter names case-insensitively', () => {
  const table: InterfaceTable = {
    VETHERNET_X: [v4('172.30.0.1')],
    Ethernet: [v4('192.168.1.20')],
  };
  assert.deepEqual(lanAddresses(table), ['192.168.1.20', '172.30.0.1']);
});

test('lanAddresses skips internal, IPv6 and link-local addresses', () => {
  const table: InterfaceTable = {
    lo: [v4('127.0.0.1', true), v6('::1', true)],
    eth0: [v6('fe80::1'), v6('2001:db8::20'), v4('169.254.10.20'), v4('192.168.1.20')],
  };
  assert.deepEqual(lanAddresses(table), ['192.168.1.20']);
});

test('lanAddresses accepts the numeric family of older Node versions', () => {
  const table: InterfaceTable = {
    eth0: [
      { address: '192.168.1.20', family: 4, internal: false },
      { address: '2001:db8::20', family: 6, internal: false },
    ],
  };
  assert.deepEqual(lanAddresses(table), ['192.168.1.20']);
});

test('lanAddresses lists an address once, in the real group if any real adapter has it', () => {
  const table: InterfaceTable = {
    docker0: [v4('10.0.0.5')],
    eth0: [v4('10.0.0.5'), v4('192.168.1.20')],
    eth1: [v4('192.168.1.20')],
    empty: undefined,
  };
  assert.deepEqual(lanAddresses(table), ['10.0.0.5', '192.168.1.20']);
});

test('lanAddresses with no argument reads this machine and returns only non-loopback IPv4', () => {
  const addresses = lanAddresses();
  for (const address of addresses) {
    assert.match(address, /^\d+\.\d+\.\d+\.\d+$/);
    assert.ok(!address.startsWith('127.'), address);
    assert.ok(!address.startsWith('169.254.'), address);
  }
  assert.equal(new Set(addresses).size, addresses.length);
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []).map((entry) => entry.address);
  for (const address of addresses) assert.ok(all.includes(address), address);
});

test('lanUrls makes one URL per address with protocol, port and a trailing slash', () => {
  assert.deepEqual(lanUrls('http', 8080, ['192.168.1.20', '10.0.0.5']), [
    'http://192.168.1.20:8080/',
    'http://10.0.0.5:8080/',
  ]);
  assert.deepEqual(lanUrls('https', 443, ['192.168.1.20']), ['https://192.168.1.20:443/']);
  assert.deepEqual(lanUrls('http', 8080, []), []);
});

test('lanUrls brackets an IPv6 address so the URL parses', () => {
  const [url] = lanUrls('http', 8080, ['fd00::20']);
  assert.equal(url, 'http://[fd00::20]:8080/');
  assert.equal(new URL(url!).hostname, '[fd00::20]');
});
