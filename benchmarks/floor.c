/* The runtime benchmark's floor: the tightest client we can write for the same work an
 * operator does there — one list of the objects, then per object the two writes yopf
 * makes (a server-side apply of the owned ConfigMap, a merge patch of the status; an
 * apply costs the server more than a create: it also works out field ownership) — with
 * libcurl's multi interface, W
 * objects in flight at once over one HTTP/2 connection (or W HTTP/1.1 ones when the
 * server speaks no HTTP/2). No JSON library: it reads names and uids out of the list
 * with a scan that fits what the benchmark seeds. Compiled and run by benchmarks/runtime.sh;
 * not part of yopf.
 *
 *   floor SERVER NAMESPACE WORKERS CA CERT KEY TOKEN    (empty strings for what is absent)
 *
 * It stays up after the writes (until killed) so the benchmark can read its CPU and RSS.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct buffer { char *data; size_t size; };

static size_t collect(char *ptr, size_t size, size_t n, void *user) {
    struct buffer *b = user;
    size_t add = size * n;
    char *grown = realloc(b->data, b->size + add + 1);
    if (!grown) return 0;
    b->data = grown;
    memcpy(b->data + b->size, ptr, add);
    b->size += add;
    b->data[b->size] = 0;
    return add;
}

static size_t discard(char *ptr, size_t size, size_t n, void *user) { (void)ptr; (void)user; return size * n; }

static const char *server, *ns, *ca, *cert, *key, *token;
static struct curl_slist *headers_apply, *headers_merge;

static void configure(CURL *c, const char *url) {
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
    if (*ca) curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    if (*cert) curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
    if (*key) curl_easy_setopt(c, CURLOPT_SSLKEY, key);
    if (*token) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token);
    }
}

/* The next string value after `"field":"` from *at, copied into out; advances *at. */
static int next_value(const char **at, const char *field, char *out, size_t cap) {
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", field);
    const char *p = strstr(*at, pattern);
    if (!p) return 0;
    p += strlen(pattern);
    const char *end = strchr(p, '"');
    if (!end || (size_t)(end - p) >= cap) return 0;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = 0;
    *at = end;
    return 1;
}

struct item { char name[128]; char uid[64]; };
struct slot { CURL *easy; int item; int phase; char url[512]; char body[1024]; };

static CURLM *multi;
static struct item *items;

/* Starts the slot's current write: the child for phase 0, the status for phase 1. */
static void start(struct slot *s) {
    struct item *it = &items[s->item];
    if (!s->easy) s->easy = curl_easy_init(); else curl_easy_reset(s->easy);
    if (s->phase == 0) {
        snprintf(s->url, sizeof s->url, "%s/api/v1/namespaces/%s/configmaps/%s-child?fieldManager=floor&force=true",
                 server, ns, it->name);
        snprintf(s->body, sizeof s->body,
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s-child\",\"ownerReferences\":"
            "[{\"apiVersion\":\"bench.yopf.dev/v1\",\"kind\":\"Item\",\"name\":\"%s\",\"uid\":\"%s\"}]},\"data\":{\"owner\":\"%s\"}}",
            it->name, it->name, it->uid, it->name);
    } else {
        snprintf(s->url, sizeof s->url, "%s/apis/bench.yopf.dev/v1/namespaces/%s/items/%s/status", server, ns, it->name);
        snprintf(s->body, sizeof s->body, "{\"status\":{\"floor\":{\"child\":\"%s-child\"}}}", it->name);
    }
    curl_easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, "PATCH");
    configure(s->easy, s->url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->phase == 0 ? headers_apply : headers_merge);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    curl_multi_add_handle(multi, s->easy);
}


int main(int argc, char **argv) {
    if (argc != 8) { fprintf(stderr, "usage: floor SERVER NAMESPACE WORKERS CA CERT KEY TOKEN\n"); return 2; }
    server = argv[1]; ns = argv[2]; ca = argv[4]; cert = argv[5]; key = argv[6]; token = argv[7];
    int workers = atoi(argv[3]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    headers_apply = curl_slist_append(NULL, "Content-Type: application/apply-patch+yaml");
    headers_merge = curl_slist_append(NULL, "Content-Type: application/merge-patch+json");

    /* One list, as an operator's watch starts. */
    char url[512];
    snprintf(url, sizeof url, "%s/apis/bench.yopf.dev/v1/namespaces/%s/items", server, ns);
    struct buffer list = {0};
    CURL *c = curl_easy_init();
    configure(c, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &list);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200) {
        fprintf(stderr, "floor: list failed: %s, HTTP %ld: %.300s\n", curl_easy_strerror(rc), status, list.data ? list.data : "");
        return 1;
    }
    /* Each item's metadata holds "name" before "uid"; the items start after "items":[. */
    const char *at = strstr(list.data, "\"items\":[");
    if (!at) { fprintf(stderr, "floor: no items in the list\n"); return 1; }
    size_t count = 0, cap = 1024;
    items = malloc(cap * sizeof *items);
    struct item next;
    while (next_value(&at, "name", next.name, sizeof next.name) && next_value(&at, "uid", next.uid, sizeof next.uid)) {
        if (count == cap) items = realloc(items, (cap *= 2) * sizeof *items);
        items[count++] = next;
    }
    curl_easy_cleanup(c);

    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)workers);
    struct slot *slots = calloc((size_t)workers, sizeof *slots);
    size_t taken = 0, done = 0;
    int failures = 0;

    int running = 0;
    for (int w = 0; w < workers && taken < count; w++) { slots[w].item = (int)taken++; slots[w].phase = 0; start(&slots[w]); running++; }
    while (running > 0) {
        int still = 0;
        curl_multi_perform(multi, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            struct slot *s;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            long code = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (msg->data.result != CURLE_OK || code >= 300) {
                fprintf(stderr, "floor: %s %s: %s, HTTP %ld\n", s->phase == 0 ? "create" : "patch", items[s->item].name,
                        curl_easy_strerror(msg->data.result), code);
                failures++;
            }
            if (s->phase == 0) { s->phase = 1; start(s); continue; }
            done++;
            if (taken < count) { s->item = (int)taken++; s->phase = 0; start(s); } else running--;
        }
        if (running > 0) curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    fprintf(stderr, "floor: %zu objects, %d failed writes\n", done, failures);
    if (failures) return 1;
    /* Stays up, as an operator would, so the benchmark reads its CPU and peak RSS. */
    for (;;) pause();
}
