#!/usr/bin/env bash
# Provisions the users of SIPp injection files as subscribers of a running sip-push-server, through
# its HTTP API (README "Provisioning subscribers"): one PUT /sip-push-server/api/subscribers/<user>@<domain>
# with {"password": "..."} per user. The user is the first field of each line, the password the last:
# either the password alone or SIPp's "[authentication username=<user> password=<password>]".
#
#   sipp/provision.sh [-u ADMIN:PASSWORD] [-d DOMAIN] [-f FILE]... [BASE_URL]
#
#   -u  the admin console's user and password (admin.user / admin.password)   default admin:change-me
#   -d  the domain of the users: the address SIPp sends to ([remote_ip])      default 127.0.0.1
#   -f  a SIPp injection file (repeatable)                                     default sipp/users.csv
#   BASE_URL  the server's HTTP address (http.address, http.port)              default http://127.0.0.1:8080
#
# SIPp's first line (SEQUENTIAL, RANDOM, USER), comments (#) and empty lines are skipped. Creating a
# subscriber answers 201, changing the password of an existing one 204: running it twice is fine.
# One curl process sends every request over one kept-alive connection; passwords go to curl in a
# private temporary config file, never on a command line. Prints one summary line; exits 1 if any
# user was refused (the first ten refusals are printed with the API's reason), 2 on bad usage.

set -euo pipefail

ADMIN=admin:change-me
DOMAIN=127.0.0.1
FILES=()
BASE=http://127.0.0.1:8080

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while getopts 'u:d:f:h' opt; do
    case "$opt" in
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
command -v curl >/dev/null || { echo "provision.sh: curl not found (apt-get install curl)" >&2; exit 2; }

# a value inside double quotes in a curl config file: backslash and double quote escaped
cfg_quote() { local v=${1//\\/\\\\}; printf '%s' "${v//\"/\\\"}"; }
# a JSON string's content: the same two characters escaped
json_escape() { local v=${1//\\/\\\\}; printf '%s' "${v//\"/\\\"}"; }
# a user part in a URL path: RFC 3986 unreserved characters and the sub-delims the API accepts stay, the rest is %XX
url_user() {
    local LC_ALL=C s=$1 out="" c i
    if [[ $s =~ ^[A-Za-z0-9._~!*\'()\&=+\$,-]*$ ]]; then printf '%s' "$s"; return; fi
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case "$c" in
            [A-Za-z0-9._~!*\'\(\)\&=+\$,-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

umask 077
CONFIG=$(mktemp "${TMPDIR:-/tmp}/sippush-provision.XXXXXX")
trap 'rm -f "$CONFIG"' EXIT

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
        {
            printf 'url = "%s"\n' "$(cfg_quote "$BASE/sip-push-server/api/subscribers/$(url_user "$user")@$DOMAIN")"
            printf 'request = "PUT"\n'
            printf 'user = "%s"\n' "$(cfg_quote "$ADMIN")"
            printf 'header = "Content-Type: application/json"\n'
            printf 'data = "%s"\n' "$(cfg_quote "{\"password\": \"$(json_escape "$password")\"}")"
            printf 'write-out = "\\n@@ %%{http_code} %%{url_effective}\\n"\n'
        } >>"$CONFIG"
        count=$((count + 1))
        printf 'next\n' >>"$CONFIG"
    done <"$file"
done
[ "$count" -gt 0 ] || { echo "provision.sh: no users in ${FILES[*]}" >&2; exit 2; }
sed -i '$d' "$CONFIG"   # no "next" after the last request

# Bodies come first, then the @@ line of their request; 201/204 bodies are dropped, others printed.
curl -sS --connect-timeout 5 -K "$CONFIG" 2>&1 | awk -v total="$count" -v base="$BASE" -v files="${FILES[*]}" '
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
