#!/usr/bin/env bash
# kubectl (and curl, where kubectl cannot go) as the referee of the dev-cluster's RBAC:
# run against `yopf dev-cluster --authorization=rbac`.
#
# Usage: KUBECONFIG=FILE auth-referee.sh [WORKDIR]
# The kubeconfig is the one the dev-cluster wrote (server and admin token). kubectl sends
# no credentials over plain http, so kubectl here is system:anonymous, or — once the admin
# lets anonymous impersonate — the ServiceAccount through `kubectl --as` (impersonation
# headers do go over http); the admin and the ServiceAccount's own token act through curl.
# Prints "ok - STEP" per passing step and "PASS rbac" at the end; on the first failure
# prints "FAIL - STEP" with the output and exits 1.
set -u

work="${1:-$(mktemp -d)}"
: "${KUBECONFIG:?set KUBECONFIG to the dev-cluster kubeconfig}"
mkdir -p "$work"
ns=referee-rbac
server="$(sed -n 's/^ *server: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$KUBECONFIG" | head -1)"
admin="$(sed -n 's/^ *token: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$KUBECONFIG" | head -1)"
[ -n "$server" ] && [ -n "$admin" ] || { echo "FAIL - read server and token from $KUBECONFIG"; exit 1; }

k() { kubectl --kubeconfig "$KUBECONFIG" --cache-dir "$work/cache" --request-timeout=20s -n "$ns" "$@"; }
# api TOKEN METHOD PATH [JSON]: prints the body, then the HTTP code on its own last line.
api() {
    local token="$1" method="$2" path="$3" body="${4:-}"
    if [ -n "$body" ]; then
        curl -sS -w '\n%{http_code}' -X "$method" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data "$body" "$server$path"
    else
        curl -sS -w '\n%{http_code}' -X "$method" -H "Authorization: Bearer $token" "$server$path"
    fi
}

# run, fails_with, expect: the step helpers.
source "$(dirname "${BASH_SOURCE[0]}")/referee-lib.sh"
# http STEP CODE TOKEN METHOD PATH [JSON]: the call must answer CODE; its body is in $out.
http() {
    local step="$1" code="$2"; shift 2
    local answer
    answer="$(api "$@")" || { printf 'FAIL - %s (curl failed)\n%s\n' "$step" "$answer"; exit 1; }
    out="$(sed '$d' <<<"$answer")"
    local got="$(tail -n1 <<<"$answer")"
    if [ "$got" != "$code" ]; then
        printf 'FAIL - %s (HTTP %s, expected %s)\n%s\n' "$step" "$got" "$code" "$out"
        exit 1
    fi
    echo "ok - $step"
}

rbac=/apis/rbac.authorization.k8s.io/v1/namespaces/$ns

# Without credentials kubectl is system:anonymous: discovery works, resources are Forbidden.
run "whoami" k auth whoami
expect "kubectl is anonymous over http" 'system:anonymous'
fails_with "anonymous may not list" \
    'configmaps is forbidden: User "system:anonymous" cannot list resource "configmaps" in API group "" in the namespace "referee-rbac"' k get configmaps
out="$(k auth can-i list configmaps 2>&1)"
expect "can-i says no" '^no'

# The admin token (the kubeconfig's) may do everything.
http "admin creates the namespace" 201 "$admin" POST /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}"
http "admin creates a ServiceAccount" 201 "$admin" POST /api/v1/namespaces/$ns/serviceaccounts '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"bot"}}'
http "admin creates a ConfigMap" 201 "$admin" POST /api/v1/namespaces/$ns/configmaps '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"a":"b"}}'

# kubectl create token (a protobuf TokenRequest) needs create on serviceaccounts/token.
fails_with "anonymous may not request tokens" \
    'User "system:anonymous" cannot create resource "serviceaccounts/token" in API group "" in the namespace "referee-rbac"' k create token bot
http "admin lets anonymous request tokens" 201 "$admin" POST $rbac/roles \
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"tokens"},"rules":[{"apiGroups":[""],"resources":["serviceaccounts/token"],"verbs":["create"]}]}'
http "bound to system:anonymous" 201 "$admin" POST $rbac/rolebindings \
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"tokens"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"tokens"},"subjects":[{"kind":"User","name":"system:anonymous"}]}'
out="$(k auth can-i create serviceaccounts --subresource=token 2>&1)"
expect "can-i says yes" '^yes'
run "can-i --list" k auth can-i --list
expect "lists the rule" 'serviceaccounts/token +\[\] +\[\] +\[create\]'
fails_with "a token for a missing ServiceAccount" 'serviceaccounts "ghost" not found' k create token ghost
run "kubectl create token" k create token bot --duration 15m
sa="$out"
expect "a JWT" '^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'

# The ServiceAccount's token: authenticated, but Forbidden until a RoleBinding allows.
http "the ServiceAccount may use discovery" 200 "$sa" GET /apis
http "the ServiceAccount may not list" 403 "$sa" GET /api/v1/namespaces/$ns/configmaps
expect "worded as kube-apiserver" 'configmaps is forbidden: User \\"system:serviceaccount:referee-rbac:bot\\" cannot list resource \\"configmaps\\" in API group \\"\\" in the namespace \\"referee-rbac\\"'
http "a made-up token" 401 "made-up" GET /api/v1/namespaces/$ns/configmaps
# kubectl --as (headers kubectl sends over http too) once anonymous may impersonate it.
bot=system:serviceaccount:$ns:bot
fails_with "anonymous may not impersonate" \
    'serviceaccounts "bot" is forbidden: User "system:anonymous" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "referee-rbac"' \
    k --as="$bot" get configmaps
http "admin lets anonymous impersonate ServiceAccounts of the namespace" 201 "$admin" POST $rbac/roles \
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"impersonate"},"rules":[{"apiGroups":[""],"resources":["serviceaccounts"],"verbs":["impersonate"]}]}'
http "bound to system:anonymous" 201 "$admin" POST $rbac/rolebindings \
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"impersonate"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"impersonate"},"subjects":[{"kind":"User","name":"system:anonymous"}]}'
fails_with "kubectl as the ServiceAccount is Forbidden" \
    'configmaps is forbidden: User "system:serviceaccount:referee-rbac:bot" cannot list resource "configmaps" in API group "" in the namespace "referee-rbac"' \
    k --as="$bot" get configmaps
out="$(k --as="$bot" auth can-i list configmaps 2>&1)"
expect "can-i as the ServiceAccount says no" '^no'

http "admin grants get and list on configmaps" 201 "$admin" POST $rbac/roles \
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"read"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list"]}]}'
http "to the ServiceAccount" 201 "$admin" POST $rbac/rolebindings \
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"read"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"read"},"subjects":[{"kind":"ServiceAccount","name":"bot","namespace":"referee-rbac"}]}'
http "the ServiceAccount lists" 200 "$sa" GET /api/v1/namespaces/$ns/configmaps
expect "and sees the ConfigMap" '"name":"settings"'
run "kubectl as the ServiceAccount lists" k --as="$bot" get configmaps
expect "the ConfigMap" '^settings '
out="$(k --as="$bot" auth can-i list configmaps 2>&1)"
expect "can-i as the ServiceAccount says yes" '^yes'
http "but only in its namespace" 403 "$sa" GET /api/v1/namespaces/default/configmaps
http "and may not delete" 403 "$sa" DELETE /api/v1/namespaces/$ns/configmaps/settings
http "the ServiceAccount asks can-i" 201 "$sa" POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews \
    "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"namespace\":\"$ns\",\"verb\":\"list\",\"resource\":\"configmaps\"}}}"
expect "allowed, and by what" '"allowed":true,"reason":"RBAC: allowed by RoleBinding \\"read/referee-rbac\\" of Role \\"read\\"'

# Deleting the binding takes the permission away at once.
http "admin deletes the binding" 200 "$admin" DELETE $rbac/rolebindings/read
http "the ServiceAccount is Forbidden again" 403 "$sa" GET /api/v1/namespaces/$ns/configmaps
fails_with "and through kubectl" 'cannot list resource "configmaps"' k --as="$bot" get configmaps

echo "PASS rbac"
