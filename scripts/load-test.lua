-- wrk script: each request takes the next of the URLs in WRK_PATHS (space-separated), in turn, and
-- says it came through an HTTPS proxy, as behind the real TLS terminator.
local paths = {}
for path in string.gmatch(os.getenv("WRK_PATHS") or "/", "%S+") do
    table.insert(paths, path)
end
local counter = 0
wrk.headers["X-Forwarded-Proto"] = "https"

request = function()
    counter = counter + 1
    return wrk.format("GET", paths[(counter % #paths) + 1])
end
