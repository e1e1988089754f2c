'use strict';

// The chaincode must also start as a chaincode service (the peer dials it): start it on a free
// loopback port exactly as `npm start` does and check that it accepts connections.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

function canConnect(port) {
    return new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => resolve(false));
    });
}

test('starts as a chaincode service listening on the given address', async (t) => {
    const port = await freePort();
    const root = path.join(__dirname, '..');
    const cli = path.join(root, 'node_modules', '.bin', 'fabric-chaincode-node');
    const child = spawn(cli, ['server', `--chaincode-address=127.0.0.1:${port}`, '--chaincode-id=settlement_1.0:0123abcd'],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    let exited = false;
    child.once('exit', () => { exited = true; });
    t.after(() => { if (!exited) child.kill('SIGKILL'); });

    const deadline = Date.now() + 15000;
    let listening = false;
    while (!listening && !exited && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        listening = await canConnect(port);
    }
    assert.ok(listening, `chaincode service did not listen on 127.0.0.1:${port}; output:\n${output}`);
});
