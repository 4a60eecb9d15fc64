/**
 * Scale-out without shared state (issue 12, step 4): two real node-red instances run the same flow
 * (the tutorial and server-push examples, bench/lib/scale-out.ts) with the same endpoint state
 * secret and no Redis, behind a round-robin balancer on 127.0.0.1 with no stickiness
 * (bench/lib/round-robin-proxy.ts). Official v2 clients (`@modelcontextprotocol/client`,
 * `versionNegotiation: { mode: 'auto' }`) negotiate 2026-07-28 through it: every request is
 * answered by whichever instance the balancer picks, and an elicitation asked by one instance
 * (`input_required` with a sealed `requestState`) is finished by the other. An instance with
 * another secret refuses such a retry, as a user who forgot to share the secret would see.
 *
 * 2025-era clients (`initialize`, `Mcp-Session-Id`) need a session on one instance, so Redis or
 * sticky sessions: test/e2e/several-instances.test.ts covers them, not this file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { startRoundRobinProxy, type ForwardedRequest, type RoundRobinProxy } from '../../bench/lib/round-robin-proxy';
import { ADD_PATH, ASK_PATH, connectModernClient, resultText, scaleOutEnv, writeScaleOutFlow } from '../../bench/lib/scale-out';

const CLIENTS = 20;
const CALLS = 50;
const SECRET = 'scale-out-test-secret';

interface Rpc {
  method?: string;
  params?: { name?: string; inputResponses?: unknown; requestState?: unknown; _meta?: Record<string, { name?: string } | undefined> };
}

/** The JSON-RPC request a recorded POST carried (the v2 client sends one per POST). */
function rpcOf(forwarded: ForwardedRequest): Rpc {
  return forwarded.method === 'POST' && forwarded.body !== '' ? JSON.parse(forwarded.body) as Rpc : {};
}

/** The `clientInfo.name` in a recorded request's envelope. */
function clientOf(forwarded: ForwardedRequest): string | undefined {
  return rpcOf(forwarded).params?._meta?.['io.modelcontextprotocol/clientInfo']?.name;
}

/** The recorded POSTs of `tools/call` `name` from index `from` on: first runs and retries. */
function callsOf(proxy: RoundRobinProxy, name: string, from = 0): { first: ForwardedRequest[]; retries: ForwardedRequest[] } {
  const calls = proxy.forwarded.slice(from).filter((f) => rpcOf(f).method === 'tools/call' && rpcOf(f).params?.name === name);
  return {
    first: calls.filter((f) => rpcOf(f).params?.requestState === undefined),
    retries: calls.filter((f) => rpcOf(f).params?.requestState !== undefined && rpcOf(f).params?.inputResponses !== undefined),
  };
}

/** A client that answers `elicitation/create` with `name`, counting the times it was asked. */
async function nameGiver(url: string, name: string): Promise<{ client: Client; asked: () => number }> {
  let asked = 0;
  const client = await connectModernClient(url, {
    name,
    elicit: async ({ message }) => {
      assert.equal(message, 'What is your name?');
      asked++;
      return { action: 'accept', content: { name } };
    },
  });
  return { client, asked: () => asked };
}

describe('stateless 2026-07-28 scale-out: two node-red instances, one state secret, no Redis, a round-robin balancer', () => {
  let flowDir: string;
  let instances: RunningNodeRed[] = [];
  /** An instance of the same flow with another state secret. */
  let stranger: RunningNodeRed | undefined;
  let proxy: RoundRobinProxy;
  const nameOf = new Map<string, string>();

  before(async () => {
    flowDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-scale-out-'));
    const flow = writeScaleOutFlow(path.join(flowDir, 'flows.json'));
    // The package linked, not installed from its tarball: three installs would cost ~15 s here.
    const started = await Promise.all([SECRET, SECRET, 'another-secret'].map((secret) => startNodeRedWith(flow, { install: 'link', env: scaleOutEnv(secret) })));
    instances = started.slice(0, 2);
    stranger = started[2];
    instances.forEach((instance, i) => nameOf.set(instance.url, 'AB'[i]));
    proxy = await startRoundRobinProxy(instances.map((i) => i.url), { record: true });
  });
  after(async () => {
    await proxy?.close();
    await Promise.all([...instances, ...(stranger ? [stranger] : [])].map((i) => i.stop()));
    rmSync(flowDir, { recursive: true, force: true });
  });

  it(`${CLIENTS} modern clients × ${CALLS} calls of add each get every answer right, half of them from each instance`, async () => {
    const from = proxy.forwarded.length;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectModernClient(`${proxy.url}${ADD_PATH}`)));
    const wrong: string[] = [];
    await Promise.all(clients.map(async (client, k) => {
      for (let i = 0; i < CALLS; i++) {
        // Distinct arguments per call: an answer meant for another call cannot pass.
        const a = k * 1000 + i;
        const b = i * 7 + 3;
        const text = resultText(await client.callTool({ name: 'add', arguments: { a, b } }));
        if (text !== String(a + b)) wrong.push(`client ${k} call ${i}: add(${a}, ${b}) answered ${JSON.stringify(text)}`);
      }
    }));
    await Promise.all(clients.map((c) => c.close()));
    assert.deepEqual(wrong, []);

    const calls = proxy.forwarded.slice(from).filter((f) => rpcOf(f).method === 'tools/call');
    assert.equal(calls.length, CLIENTS * CALLS, 'each call was one POST');
    assert.deepEqual(calls.filter((f) => f.status !== 200).map((f) => f.status), []);
    for (const instance of instances) {
      const served = calls.filter((f) => f.upstream === instance.url).length;
      assert.ok(served >= CLIENTS * CALLS * 0.4, `instance ${nameOf.get(instance.url)} answered ${served} of ${CLIENTS * CALLS} calls`);
    }
  });

  it('an elicitation asked by one instance is answered to the other, whose flow finishes the call; both ways', async () => {
    const { client, asked } = await nameGiver(`${proxy.url}${ASK_PATH}`, 'Ada');
    const directions: string[] = [];
    for (let round = 0; round < 2; round++) {
      const from = proxy.forwarded.length;
      const result = await client.callTool({ name: 'ask_name', arguments: {} });
      assert.equal(resultText(result), 'Hello, Ada!', 'the flow got the answer and greeted with it');
      assert.equal(asked(), round + 1, 'the user was asked once per call');
      const { first, retries } = callsOf(proxy, 'ask_name', from);
      assert.equal(first.length, 1, 'one POST asked for input');
      assert.equal(retries.length, 1, 'one retry carried the answer and the requestState');
      const asker = nameOf.get(first[0].upstream);
      const finisher = nameOf.get(retries[0].upstream);
      assert.notEqual(asker, finisher, `the retry crossed instances (asked on ${asker}, finished on ${finisher})`);
      directions.push(`${asker}->${finisher}`);
      // One more request shifts the balancer's turn, so that the next round goes the other way.
      await client.listTools();
    }
    assert.deepEqual(directions.sort(), ['A->B', 'B->A']);
    await client.close();
  });

  it(`${CLIENTS} modern clients at once each answer an elicitation and get their own name back`, async (t) => {
    const from = proxy.forwarded.length;
    const names = Array.from({ length: CLIENTS }, (_, k) => `user-${k}`);
    const givers = await Promise.all(names.map((name) => nameGiver(`${proxy.url}${ASK_PATH}`, name)));
    const texts = await Promise.all(givers.map(({ client }) => client.callTool({ name: 'ask_name', arguments: {} }).then(resultText)));
    assert.deepEqual(texts, names.map((name) => `Hello, ${name}!`));
    assert.deepEqual(givers.map((g) => g.asked()), names.map(() => 1));
    await Promise.all(givers.map(({ client }) => client.close()));
    const { first, retries } = callsOf(proxy, 'ask_name', from);
    assert.equal(first.length, CLIENTS);
    assert.equal(retries.length, CLIENTS);
    // Which instance finishes which call depends on how the clients' POSTs interleave (each
    // client's first POST and retry are told apart from the others' by its clientInfo).
    const crossed = retries.filter((retry) => first.find((f) => clientOf(f) === clientOf(retry))?.upstream !== retry.upstream).length;
    t.diagnostic(`retries finished on another instance than the one that asked: ${crossed} of ${CLIENTS}`);
  });

  it('an instance with another state secret refuses a retry the first one sealed', async () => {
    const mixed = await startRoundRobinProxy([instances[0].url, (stranger as RunningNodeRed).url], { record: true });
    try {
      const { client, asked } = await nameGiver(`${mixed.url}${ASK_PATH}`, 'Ada');
      await assert.rejects(client.callTool({ name: 'ask_name', arguments: {} }), /requestState/);
      assert.equal(asked(), 1);
      const { first, retries } = callsOf(mixed, 'ask_name');
      assert.notEqual(first[0].upstream, retries[0].upstream, 'the retry went to the other instance');
      await client.close();
    } finally {
      await mixed.close();
    }
  });
});
