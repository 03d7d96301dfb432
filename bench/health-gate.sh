# The workflow's health gate in bash, inlined into the bare deploy script by bench/deploy-script.ts.
# health URL BODY_REGEX STATUS TIMEOUT_US INTERVAL_S STABLE_US: poll every interval until the status
# and body match (curl gets the same 1 s per-request limit as the gate's fetch), then keep checking
# for the stability period; give up after the timeout. Times in microseconds from $EPOCHREALTIME.
probe() {
  local out
  out=$(curl -sS --max-time 1 -w '\n%{http_code}' -- "$1" 2>/dev/null) || return 1
  [[ ${out##*$'\n'} == "$3" && ${out%$'\n'*} =~ $2 ]]
}
health() {
  local url=$1 pattern=$2 status=$3 timeout_us=$4 interval=$5 stable_us=$6
  local start=${EPOCHREALTIME/./}
  until probe "$url" "$pattern" "$status"; do
    if (( ${EPOCHREALTIME/./} - start > timeout_us )); then echo "health gate: $url not healthy in time" >&2; return 1; fi
    sleep "$interval"
  done
  local stable_until=$(( ${EPOCHREALTIME/./} + stable_us ))
  while (( ${EPOCHREALTIME/./} < stable_until )); do
    sleep "$interval"
    probe "$url" "$pattern" "$status" || { echo "health gate: $url became unhealthy during the stability period" >&2; return 1; }
  done
}
