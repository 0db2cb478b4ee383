#!/usr/bin/env bash
# Provisions the users of SIPp injection files as subscribers of a running sip-push-server, through
# its HTTP API (README "Provisioning subscribers"): one PUT /sip-push-server/api/subscribers/<user>@<domain>
# with {"password": "..."} per user. The user is the first field of each line, the password the last:
# either the password alone or SIPp's "[authentication username=<user> password=<password>]".
#
#   sipp/provision.sh [-u ADMIN:PASSWORD] [-d DOMAIN] [-f FILE]... [-j N] [BASE_URL]
#
#   -u  the admin console's user and password (admin.user / admin.password)   default admin:change-me
#   -d  the domain of the users: the address SIPp sends to ([remote_ip])      default 127.0.0.1
#   -f  a SIPp injection file (repeatable)                                     default sipp/users.csv
#   -j  requests in parallel (curl processes, one connection each)             default 1
#   BASE_URL  the server's HTTP address (http.address, http.port)              default http://127.0.0.1:8080
#
# SIPp's first line (SEQUENTIAL, RANDOM, USER), comments (#) and empty lines are skipped. Creating a
# subscriber answers 201, changing the password of an existing one 204: running it twice is fine.
# Each curl process sends its share of the requests over one kept-alive connection; passwords go to
# curl in private temporary config files, never on a command line. Prints one summary line; exits 1 if any
# user was refused (the first ten refusals are printed with the API's reason), 2 on bad usage.

set -euo pipefail

ADMIN=admin:change-me
DOMAIN=127.0.0.1
FILES=()
BASE=http://127.0.0.1:8080
JOBS=1

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while getopts 'u:d:f:j:h' opt; do
    case "$opt" in
        j) JOBS=$OPTARG ;;
        u) ADMIN=$OPTARG ;;
        d) DOMAIN=$OPTARG ;;
        f) FILES+=("$OPTARG") ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
[ $# -eq 1 ] && BASE=$1
BASE=${BASE%/}
[ ${#FILES[@]} -gt 0 ] || FILES=("$(dirname "${BASH_SOURCE[0]}")/users.csv")
case "$ADMIN" in *:*) ;; *) echo "provision.sh: -u wants USER:PASSWORD" >&2; exit 2 ;; esac
[[ $JOBS =~ ^[1-9][0-9]?$ ]] || { echo "provision.sh: -j wants 1..99" >&2; exit 2; }
command -v curl >/dev/null || { echo "provision.sh: curl not found (apt-get install curl)" >&2; exit 2; }

# (the helpers set a variable instead of printing: no subshell per user, 10,000 users take seconds)
# ESCAPED=$1 with backslash and double quote escaped (a JSON string's content, a curl config value)
escape() { ESCAPED=${1//\\/\\\\}; ESCAPED=${ESCAPED//\"/\\\"}; }
# URL_USER=$1 for a URL path: RFC 3986 unreserved characters and the sub-delims the API accepts
# stay, every other byte is %XX
url_user() {
    local LC_ALL=C s=$1 c i hex
    URL_USER=""
    if [[ $s =~ ^[A-Za-z0-9._~!*\'()\&=+\$,-]*$ ]]; then URL_USER=$s; return; fi
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case "$c" in
            [A-Za-z0-9._~!*\'\(\)\&=+\$,-]) URL_USER+=$c ;;
            *) printf -v hex '%%%02X' "'$c"; URL_USER+=$hex ;;
        esac
    done
}

umask 077
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sippush-provision.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

escape "$ADMIN"; ADMIN_QUOTED=$ESCAPED
FDS=()
count=0
for file in "${FILES[@]}"; do
    [ -r "$file" ] || { echo "provision.sh: cannot read $file" >&2; exit 2; }
    line_no=0
    while IFS= read -r line || [ -n "$line" ]; do
        line_no=$((line_no + 1))
        line=${line%$'\r'}
        [ -n "$line" ] || continue
        case "$line" in
            '#'*) continue ;;
            SEQUENTIAL|RANDOM|USER|SEQUENTIAL,*|RANDOM,*|USER,*) [ "$line_no" = 1 ] && continue ;;
        esac
        user=${line%%;*}
        password=${line##*;}
        # SIPp's per-user credentials: [authentication username=<user> password=<password>]
        if [[ $password =~ ^\[authentication\ .*password=([^]\ ]+) ]]; then
            password=${BASH_REMATCH[1]}
        fi
        if [ -z "$user" ] || [ -z "$password" ] || [ "$user" = "$line" ]; then
            echo "provision.sh: $file line $line_no: no user;...;password" >&2; exit 2
        fi
        job=$((count % JOBS))
        url_user "$user"; escape "$BASE/sip-push-server/api/subscribers/$URL_USER@$DOMAIN"; url=$ESCAPED
        escape "$password"; escape "{\"password\": \"$ESCAPED\"}"   # JSON, then the config file's quoting
        [ -n "${FDS[job]:-}" ] || exec {FDS[job]}>"$WORK/$job.cfg"
        [ "$count" -lt "$JOBS" ] || printf 'next\n' >&"${FDS[job]}"
        printf 'url = "%s"\nrequest = "PUT"\nuser = "%s"\nheader = "Content-Type: application/json"\ndata = "%s"\nwrite-out = "\\n@@ %%{http_code} %%{url_effective}\\n"\n' \
            "$url" "$ADMIN_QUOTED" "$ESCAPED" >&"${FDS[job]}"
        count=$((count + 1))
    done <"$file"
done
[ "$count" -gt 0 ] || { echo "provision.sh: no users in ${FILES[*]}" >&2; exit 2; }
for job in "${!FDS[@]}"; do
    exec {FDS[job]}>&-
    curl -sS --connect-timeout 5 -K "$WORK/$job.cfg" >"$WORK/$job.out" 2>&1 &
done
wait

# Bodies come first, then the @@ line of their request; 201/204 bodies are dropped, others printed.
cat "$WORK"/*.out | awk -v total="$count" -v base="$BASE" -v files="${FILES[*]}" '
    /^@@ [0-9]+ / {
        code = $2; url = $3; sub(/.*\/api\/subscribers\//, "", url)
        if (code == 201) created++
        else if (code == 204) changed++
        else {
            failed++
            if (code == 401) why = "login refused: check -u ADMIN:PASSWORD"
            else { why = body; sub(/^\n+/, "", why); sub(/\n.*/, "", why); if (why == "") why = "no answer from " base }
            if (failed <= 10) printf "%s: HTTP %s %s\n", url, code, substr(why, 1, 300)
            else if (failed == 11) print "(further refusals not shown)"
        }
        body = ""; next
    }
    { body = (body == "" ? $0 : body "\n" $0) }
    END {
        if (body != "") { failed++; print substr(body, 1, 300) }
        printf "provisioned %d of %d users of %s at %s: %d created, %d changed, %d refused\n",
            created + changed, total, files, base, created, changed, failed + 0
        exit (created + changed == total && failed == 0) ? 0 : 1
    }'
