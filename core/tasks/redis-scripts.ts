/**
 * The Lua scripts of the Redis task store ({@link RedisTaskStore}): each runs atomically in Redis,
 * so two instances changing one task, or one owner creating tasks on two instances at once, never
 * see a half-made change. The record itself is never decoded in Lua (its cjson would turn `[]`
 * into `{}` and round long numbers): the store merges in JavaScript and a script only swaps the
 * JSON when the version it read is still current (optimistic concurrency, retried on a conflict).
 *
 * Every key a script touches is passed in KEYS. Never imports Node-RED.
 */

/**
 * Creates a task unless its owner has `max` unfinished tasks. First it trims the owner's expired
 * tasks off the open set and the list (the list is scored by `createdAt`, so the expiry set, scored
 * by expiry, says which): the list stays as long as the owner's live tasks, even when `tasks/list`
 * is never called (2026-07-28) and one owner (`anyone`) makes every task.
 * KEYS: task hash, owner's open set, owner's list, unfinished hash, owner's expiry set.
 * ARGV: json, now (epoch ms), expireAt (epoch ms), max, taskId, createdAt, lease id of the creating store.
 * Returns 1 when created, 0 at the limit, -1 when the id is taken.
 */
export const CREATE_TASK = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
local gone = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[2])
for i = 1, #gone, 500 do
  redis.call('ZREM', KEYS[3], unpack(gone, i, math.min(i + 499, #gone)))
end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[2]) end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'v', '1', 'lease', ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[5])
local keep = tonumber(ARGV[3]) - tonumber(ARGV[2])
for _, i in ipairs({2, 3, 5}) do
  if redis.call('PTTL', KEYS[i]) < keep then redis.call('PEXPIRE', KEYS[i], keep) end
end
redis.call('HSET', KEYS[4], ARGV[5], ARGV[7])
return 1`;

/**
 * Replaces a task's JSON if its version is still `expected` (and, with a lease key, only while
 * that lease is gone: the owner died). A terminal task leaves the open set and the unfinished hash.
 * KEYS: task hash, owner's open set, unfinished hash, [the owner's lease].
 * ARGV: expected version, json, '1' when the new status is terminal else '0', taskId.
 * Returns 1 when replaced, 0 on a version conflict, -1 when the task is gone, 2 when the lease lives.
 */
export const UPDATE_TASK = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
if KEYS[4] and redis.call('EXISTS', KEYS[4]) == 1 then return 2 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'v', tostring(tonumber(v) + 1))
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('HDEL', KEYS[3], ARGV[4])
end
return 1`;

/**
 * One page of an owner's task ids, newest first, after the cursor `(createdAt, taskId)`: the list
 * set orders ties by id, descending, so "after" means a lower score, or the same score and a
 * lower id.
 * KEYS: owner's list. ARGV: cursor score ('' for the first page), cursor id, count.
 * Returns `[id, score, id, score, ...]`.
 */
export const LIST_PAGE = `
local max = '+inf'
local skip = 0
if ARGV[1] ~= '' then
  max = ARGV[1]
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])) do
    if id >= ARGV[2] then skip = skip + 1 end
  end
end
return redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf', 'WITHSCORES', 'LIMIT', skip, tonumber(ARGV[3]))`;
