import { createHash } from "node:crypto";

/** A Lua script and its SHA-1, for EVALSHA with a fallback to EVAL when the server lacks it. */
export interface RedisScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, lua: string): RedisScript {
  return { name, lua, sha: createHash("sha1").update(lua).digest("hex") };
}

// Every script touches one key, KEYS[1] (hash-tagged by the store, so a script that one day
// touches a second key of the same logical key stays in one Cluster slot). ARGV[#ARGV - 1] is the
// change channel and ARGV[#ARGV] the logical key: each write announces itself with PUBLISH in the
// same atomic step. TTLs are PX durations and time left is PTTL: both run on the server's clock,
// the only clock involved, so hosts with skewed clocks agree.
const ANNOUNCE = `
local function announce(kind)
  redis.call('PUBLISH', ARGV[#ARGV - 1], kind .. ':' .. ARGV[#ARGV])
end
`;

/** get: the value and its time left, or nil. */
export const GET: RedisScript = script(
  "get",
  `local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}`,
);

/** set: ARGV[1] value, ARGV[2] ttl. */
export const SET: RedisScript = script(
  "set",
  `${ANNOUNCE}
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
announce('s')
return 1`,
);

/** setIfAbsent (and acquireLease, the value being the holder's token): 1 when written. */
export const SET_IF_ABSENT: RedisScript = script(
  "setIfAbsent",
  `${ANNOUNCE}
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  announce('s')
  return 1
end
return 0`,
);

/** delete. */
export const DELETE: RedisScript = script(
  "delete",
  `${ANNOUNCE}
if redis.call('DEL', KEYS[1]) == 1 then announce('d') end
return 1`,
);

/** extendDeadline: ARGV[1] duration; answers the time left until the kept deadline. */
export const EXTEND_DEADLINE: RedisScript = script(
  "extendDeadline",
  `${ANNOUNCE}
local want = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left >= want then return left end
redis.call('SET', KEYS[1], '', 'PX', want)
announce('s')
return want`,
);

/** increment: ARGV[1] step, ARGV[2] window; a new counter's TTL is set once (a fixed window). */
export const INCREMENT: RedisScript = script(
  "increment",
  `${ANNOUNCE}
local created = redis.call('EXISTS', KEYS[1]) == 0
local ok, n = pcall(redis.call, 'INCRBY', KEYS[1], ARGV[1])
if not ok then return redis.error_reply('SWITCHYARD_NOT_A_COUNTER the entry at this key is not a counter') end
if created then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
announce('s')
return n`,
);

/** release a lease: deletes only while ARGV[1] (our token) is still the holder. */
export const RELEASE: RedisScript = script(
  "release",
  `${ANNOUNCE}
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  announce('d')
  return 1
end
return 0`,
);
