-- The Fluid surface in Lua, over the door's primitives (`door`, written in Rust). Run once per
-- script state, before the script. Everything here is what Fluid scripts call by name; the
-- work (fields, actions, methods, the loop) is done by the primitives.
local door, UID = ...

local type, rawget, rawset, setmetatable, error, select, pcall, xpcall, tostring =
      type, rawget, rawset, setmetatable, error, select, pcall, xpcall, tostring
local GUARD = {}   -- a handle's guard (owning handles only) sits under this key

local handles = setmetatable({}, { __mode = 'v' })   -- UID -> handle
local states = {}                                    -- UID -> h._state() table
local ObjMeta = {}
local builtins = {}

-- A handle for an object the script did not create: it never frees the object.
local function wrap(uid)
   local h = handles[uid]
   if h then return h end
   h = setmetatable({ [UID] = uid }, ObjMeta)
   handles[uid] = h
   return h
end

-- A method or action bound to its object, so that `h.acWrite(s)` needs no `self`.
local call = door.call
local function bind(uid, code, results)
   if results == 0 then
      return function(...)
         local e = call(uid, code, ...)
         if type(e) == 'string' then error(e, 2) end
         return e
      end
   elseif results == 1 then
      return function(...)
         local e, a = call(uid, code, ...)
         if type(e) == 'string' then error(e, 2) end
         return e, a
      end
   else
      return function(...)
         local r = { call(uid, code, ...) }
         if type(r[1]) == 'string' then error(r[1], 2) end
         return unpack(r, 1, results + 1)
      end
   end
end

local index = door.index
ObjMeta.__index = function(h, key)
   local uid = rawget(h, UID)
   if type(key) ~= 'string' then return nil end
   if key == 'id' then return uid end
   local b = builtins[key]
   if b then
      local f = b(h, uid)
      rawset(h, key, f)
      return f
   end
   local v, code, results, err = index(uid, key)
   if code then
      local f = bind(uid, code, results)
      rawset(h, key, f)
      return f
   end
   if err then error(err, 2) end
   return v
end

local door_set = door.set
ObjMeta.__newindex = function(h, key, value)
   local err = door_set(rawget(h, UID), key, value)
   if err then error(err, 2) end
end

ObjMeta.__tostring = function(h) return '#' .. rawget(h, UID) end

local function new_object(class, fields, owner, level)
   if type(class) ~= 'string' then
      error("bad argument #1 to 'new' (string expected, got " .. type(class) .. ")", level)
   end
   if fields ~= nil and type(fields) ~= 'table' then fields = nil end
   local uid, err = door.new(class, fields, owner)
   if not uid then error(err, level) end
   return uid
end

builtins.init = function(h, uid) return function() return door.init(uid) end end
builtins.free = function(h, uid)
   return function()
      local g = rawget(h, GUARD)
      if g then door.disarm(g); rawset(h, GUARD, nil) end
      return door.free(uid)
   end
end
builtins.detach = function(h, uid)
   return function()
      local g = rawget(h, GUARD)
      if g then door.disarm(g); rawset(h, GUARD, nil) end
   end
end
builtins.exists = function(h, uid)
   return function() if door.exists(uid) then return true end end
end
builtins.get = function(h, uid)
   return function(name, default) return door.get(uid, name, default) end
end
builtins.set = function(h, uid)
   return function(name, value)
      local e = door.set_code(uid, name, value)
      if type(e) == 'string' then error(e, 2) end
      return e
   end
end
builtins.children = function(h, uid) return function() return door.children(uid) end end
builtins.new = function(h, uid)
   -- A child of this object; the handle does not own it (its parent does).
   return function(class, fields) return wrap(new_object(class, fields, uid, 3)) end
end
builtins.lock = function(h, uid)
   return function(fn)
      if type(fn) ~= 'function' then error("bad argument #1 to 'lock' (Function expected.)", 2) end
      return fn()
   end
end
builtins.subscribe = function(h, uid)
   return function(action, fn)
      if type(fn) ~= 'function' then error("bad argument #2 to 'subscribe' (Function expected.)", 2) end
      local err = door.subscribe(uid, action, function() return fn(h) end)
      if err then error(err, 2) end
   end
end
builtins._state = function(h, uid)
   return function()
      local s = states[uid]
      if not s then s = {}; states[uid] = s end
      return s
   end
end

obj = {}
function obj.new(class, fields)
   local uid = new_object(class, fields, nil, 3)
   local h = setmetatable({ [UID] = uid, [GUARD] = door.guard(uid) }, ObjMeta)
   handles[uid] = h
   return h
end
function obj.find(name)
   if type(name) == 'number' then return door.find_uid(name) end
   if type(name) ~= 'string' then return nil end
   if name == 'self' then return wrap(door.script()) end
   -- Named objects among those the script holds a handle to (created or handed over).
   for uid, h in pairs(handles) do
      if door.get(uid, 'Name') == name then return h end
   end
   return nil
end
function obj.class(h)
   if type(h) ~= 'table' or not rawget(h, UID) then
      error("bad argument #1 to 'class' (Expected object.)", 2)
   end
   return door.class_name(rawget(h, UID))
end

-- Errors ---------------------------------------------------------------------------------

local ERR_Okay, ERR_Exception, THRESHOLD = 0, door.exception_code, door.threshold

function raise(code)
   if type(code) ~= 'number' then return end
   door.set_caught(code)
   error(door.error_text(code), 2)
end

function check(code)
   if type(code) == 'number' and code >= THRESHOLD then
      door.set_caught(code)
      error(door.error_text(code), 2)
   end
end

local error_line
-- The line the error came from: the first Lua frame under the handler (error() itself is C).
local function note_line(msg)
   error_line = -1
   for level = 2, 6 do
      local info = debug.getinfo(level, 'Sl')
      if not info then break end
      if info.currentline and info.currentline > 0 then
         error_line = info.currentline
         break
      end
   end
   return msg
end

local function exception(message)
   local code = door.caught()
   return {
      code = (code >= THRESHOLD) and code or nil,
      message = type(message) == 'string' and message or tostring(message),
      line = error_line,
   }
end

function catch(fn, a, b)
   if type(fn) ~= 'function' then error("bad argument #1 to 'catch' (Expected function.)", 2) end
   local filter, handler
   if select('#', a, b) >= 1 and b ~= nil then filter, handler = a, b
   elseif a ~= nil then handler = a end
   if (a ~= nil or b ~= nil) and type(handler) ~= 'function' then
      error("bad argument #" .. (b ~= nil and 3 or 2) .. " to 'catch' (Expected function.)", 2)
   end
   door.enter_catch()
   door.set_caught(ERR_Okay)
   local r = { xpcall(fn, note_line) }
   door.leave_catch()
   if r[1] then
      if handler then return ERR_Okay, unpack(r, 2, table.maxn(r)) end
      return nil, unpack(r, 2, table.maxn(r))
   end
   local ex = exception(r[2])
   if not handler then return ex end
   if filter and ex.code then
      local listed = false
      for _, c in ipairs(filter) do if c == ex.code then listed = true end end
      if not listed then error(ex.message, 2) end
   end
   handler(ex)
   return ex.code or ERR_Exception
end

-- Processing -----------------------------------------------------------------------------

processing = {}
local ProcMeta = {}
ProcMeta.__index = function(p, key)
   error("Unrecognised field name '" .. tostring(key) .. "'", 2)
end
function processing.new(options)
   local timeout = -1
   if options ~= nil then
      if type(options) ~= 'table' then error("bad argument #1 to 'new' (table expected)", 2) end
      for k, v in pairs(options) do
         local key = type(k) == 'string' and k:lower() or k
         if key == 'timeout' then timeout = tonumber(v) or -1
         elseif key == 'signals' then
            -- Only the script's own signal is waited for here; say so rather than hang.
            if type(v) ~= 'table' then
               error('The signals option requires a table of object references.', 2)
            end
            door.log_warning('processing.new: the signals option is not supported; proc.sleep() waits for processing.signal()')
         else
            error("Unrecognised option '" .. tostring(k) .. "'", 2)
         end
      end
   end
   local p = {}
   p.sleep = function(seconds, wake) return door.sleep(seconds, wake, timeout) end
   p.signal = door.signal
   return setmetatable(p, ProcMeta)
end
function processing.sleep(seconds, wake) return door.sleep(seconds, wake, -1) end
processing.signal = door.signal
function processing.task() return nil end
function processing.delayedCall(fn)
   if type(fn) ~= 'function' then error('Expected a function to register as a message hook.', 2) end
   door.delayed_call(fn)
end

-- Modules --------------------------------------------------------------------------------

-- Function tables whose names match case-insensitively, as Fluid's module lookups do.
local function module_table(name, functions)
   local lower = {}
   for k, f in pairs(functions) do lower[k:lower()] = f end
   return setmetatable({}, {
      __index = function(t, key)
         local f = type(key) == 'string' and lower[key:lower()]
         if not f then error('Call to function ' .. tostring(key) .. '() not recognised.', 2) end
         rawset(t, key, f)
         return f
      end,
      __tostring = function() return name end,
   })
end

mSys = module_table('core', door.core_functions)
local network
mod = {}
function mod.load(name)
   if type(name) ~= 'string' then error("bad argument #1 to 'load' (string expected, got " .. type(name) .. ")", 2) end
   local lname = name:lower()
   if lname == 'core' then return mSys end
   if lname == 'network' then
      door.include('network')
      network = network or module_table('network', door.network_functions)
      return network
   end
   error('Failed to load the ' .. name .. ' module.', 2)
end
mod.new = mod.load

function include(...)
   local n = select('#', ...)
   if n == 0 or type((...)) ~= 'string' then error("bad argument #1 to 'include' (Include name(s) required.)", 2) end
   for i = 1, n do
      local err = door.include(tostring((select(i, ...))))
      if err then error(err, 2) end
   end
end

struct = {}
function struct.new(name)
   if name ~= 'IPAddress' then
      error("bad argument #1 to 'new' (The requested structure is not defined.)", 2)
   end
   return { data = { 0, 0, 0, 0 }, type = 0, pad = 0 }
end
function struct.size(name)
   if name == 'IPAddress' then return 24 end
   error("bad argument #1 to 'size' (The requested structure is not defined.)", 2)
end

-- Scripts and arguments ------------------------------------------------------------------

local script_args = door.script_args
function arg(name, ...)
   local v = script_args[name]
   if v ~= nil then return v end
   if select('#', ...) == 1 then return (...) end
   return nil
end

local required = {}
function require(name)
   if type(name) ~= 'string' then error("bad argument #1 to 'require' (Expected module name.)", 2) end
   if required[name] then return end
   local chunk, err = door.load_required(name)
   if not chunk then error(err, 2) end
   chunk()
   required[name] = true
end

function loadFile(path)
   if type(path) ~= 'string' then error("bad argument #1 to 'loadFile' (File path required.)", 2) end
   local chunk, err = door.load_file(path)
   if not chunk then error("Failed to load/parse file '" .. path .. "', error: " .. err, 2) end
   return chunk()
end

function exec(source)
   if type(source) ~= 'string' then error("bad argument #1 to 'exec' (Fluid statement required.)", 2) end
   local chunk, err = door.load_source(source, 'exec')
   if not chunk then error(err, 2) end
   return chunk()
end

function getExecutionState() return { inRequire = false } end

function nz(...)
   local n = select('#', ...)
   if n ~= 1 and n ~= 2 then error('Expected 1 or 2 arguments, not ' .. n .. '.', 2) end
   local v, default = ...
   local empty = v == nil or v == 0 or v == '' or (type(v) == 'table' and next(v) == nil)
   if n == 2 then
      if empty then return default end
      return v
   end
   if not empty then return 1 end
end

msg = door.msg
print = door.print

-- String additions -----------------------------------------------------------------------

string.alloc = door.alloc
function string.split(s, sep)
   local out = {}
   if s == nil or s == '' then return out end
   if sep == nil or sep == '' then
      local start = 1
      for i = 1, #s do
         local c = s:sub(i, i)
         if c == ' ' or c == '\t' or c == '\n' or c == '\r' then
            out[#out + 1] = s:sub(start, i - 1)
            start = i + 1
         end
      end
      out[#out + 1] = s:sub(start)
      return out
   end
   local start = 1
   while true do
      local i, j = string.find(s, sep, start, true)
      if not i then break end
      out[#out + 1] = s:sub(start, i - 1)
      start = j + 1
   end
   out[#out + 1] = s:sub(start)
   return out
end
function string.trim(s) if s == nil then return '' end return (s:gsub('^[ \t\r\n]+', ''):gsub('[ \t\r\n]+$', '')) end
function string.rtrim(s) if s == nil then return '' end return (s:gsub('[ \t\r\n]+$', '')) end
function string.startsWith(s, p) return s:sub(1, #p) == p end
function string.endsWith(s, p) return p == '' or s:sub(-#p) == p end
function string.join(t, sep)
   local parts = {}
   for _, v in ipairs(t) do
      if type(v) == 'string' or type(v) == 'number' then parts[#parts + 1] = tostring(v) end
   end
   return table.concat(parts, sep or '')
end
function string.cap(s) return (s:gsub('^%l', string.upper)) end
function string.decap(s) return (s:gsub('^%u', string.lower)) end
function string.escXML(s)
   if s == nil then return '' end
   return (s:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'))
end
function string.hash(s, case_sensitive)
   if not case_sensitive then s = s:lower() end
   local h = 5381
   for i = 1, #s do h = bit.tobit(h * 33 + s:byte(i)) end
   return h
end
function table.clear(t) for k in pairs(t) do t[k] = nil end end

-- Frees every object the script owns (when the script ends).
local function release_all()
   for uid, h in pairs(handles) do
      local g = rawget(h, GUARD)
      if g then door.disarm(g); rawset(h, GUARD, nil); door.free(uid) end
   end
end

return wrap, handles, release_all
