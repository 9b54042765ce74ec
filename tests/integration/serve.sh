# serve.sh - `jolt serve` as a process: it starts on 127.0.0.1, answers
# /health, each dialect's route with the right shape, refuses a request
# without X-Jolt-Trial, injects a configured fault, and stops on SIGTERM.
# Uses the curl CLI (`make deps` installs it): without it, or without a
# working `jolt serve`, the script fails rather than skipping.
. tests/integration/lib.sh

command -v curl >/dev/null 2>&1 || { notok "curl is missing (make deps installs it)"; exit 1; }
$JOLT serve --help >/dev/null 2>&1 && ok "jolt serve --help" \
	|| { notok "jolt serve --help fails"; exit 1; }

port=$((20000 + $$ % 20000))
log=$JOLT_TEST_TMP/serve.log
$JOLT serve --listen 127.0.0.1:$port --suite suites/starter --policy oracle \
	> "$log" 2>&1 &
pid=$!
base=http://127.0.0.1:$port
up=0
for _ in $(seq 1 50); do
	if curl -sf "$base/health" >/dev/null 2>&1; then up=1; break; fi
	sleep 0.1
done
[ $up = 1 ] && ok "serve answers /health" || { notok "serve did not come up"; sed 's/^/#   /' "$log"; kill $pid; exit 1; }

trial='X-Jolt-Trial: {"suite":"starter","variant":"doc-bridge-year/baseline","key":"it","seed":1}'
user='In what year was the Tallow Bridge in Velmora completed?'
tools='[{"type":"function","function":{"name":"search","description":"s","parameters":{"type":"object","properties":{"query":{"type":"string"}}}}}]'

out=$(curl -s -H 'Content-Type: application/json' -H "$trial" \
	-d "{\"model\":\"sim:oracle\",\"messages\":[{\"role\":\"user\",\"content\":\"$user\"}],\"tools\":$tools}" \
	"$base/v1/chat/completions")
echo "$out" | grep -q '"object":"chat.completion"' && echo "$out" | grep -q '"name":"search"' \
	&& ok "openai route returns a chat.completion calling search" || notok "openai route: $out"

out=$(curl -s -N -H 'Content-Type: application/json' -H "$trial" \
	-d "{\"model\":\"sim:oracle\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"$user\"}],\"tools\":$tools}" \
	"$base/v1/chat/completions")
echo "$out" | tail -n 2 | grep -q '^data: \[DONE\]' && echo "$out" | grep -q 'chat.completion.chunk' \
	&& ok "openai stream ends with [DONE]" || notok "openai stream: $out"

out=$(curl -s -H 'Content-Type: application/json' -H "$trial" \
	-d "{\"model\":\"sim:oracle\",\"max_tokens\":512,\"messages\":[{\"role\":\"user\",\"content\":\"$user\"}],\"tools\":[{\"name\":\"search\",\"input_schema\":{\"type\":\"object\"}}]}" \
	"$base/anthropic/v1/messages")
echo "$out" | grep -q '"type":"message"' && echo "$out" | grep -q '"stop_reason":"tool_use"' \
	&& ok "anthropic route returns a message with tool_use" || notok "anthropic route: $out"

out=$(curl -s -H 'Content-Type: application/json' -H "$trial" \
	-d "{\"model\":\"sim:oracle\",\"prompt\":\"]~!b[]~b]system\\nsys[e~[\\n]~b]user\\n$user[e~[\\n]~b]ai\\n<think>\\n\"}" \
	"$base/v1/completions")
echo "$out" | grep -q '<invoke name=\\"search\\">' && ok "m2 route returns an invoke of search" \
	|| notok "m2 route: $out"

code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-d '{"messages":[]}' "$base/v1/chat/completions")
[ "$code" = 400 ] && ok "no X-Jolt-Trial -> 400" || notok "no X-Jolt-Trial -> $code"

kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && ok "SIGTERM stops serve with status 0" || notok "serve exited $rc on SIGTERM"

# A fault at rate 1: every request is a 429 with Retry-After. --verbose
# logs the request but never its credentials.
$JOLT serve --listen 127.0.0.1:$port --suite suites/starter --faults 429:1 --verbose > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -sf "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done
hdr=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H "$trial" \
	-H 'Authorization: Bearer sk-test-SECRET' \
	-d "{\"model\":\"sim:oracle\",\"max_tokens\":512,\"messages\":[{\"role\":\"user\",\"content\":\"$user\"}]}" \
	"$base/v1/messages")
echo "$hdr" | head -n 1 | grep -q ' 429' && echo "$hdr" | grep -qi '^retry-after: 1' \
	&& ok "--faults 429:1 gives 429 with Retry-After" || notok "429 fault: $hdr"
kill -TERM $pid
wait $pid
grep -q 'fault=429 status=429' "$log" && ! grep -q 'SECRET' "$log" \
	&& ok "--verbose logs the request, not the API key" || notok "verbose log: $(cat "$log")"
