#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Macros and variadic calls Swift cannot reach, as typed functions. */

/* A new P-256 key (EVP_EC_gen is a macro over the variadic EVP_PKEY_Q_keygen). */
static inline EVP_PKEY *yopf_tls_new_p256_key(void) { return EVP_EC_gen("P-256"); }

/* TLS 1.2 at least (SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl). */
static inline int yopf_tls_require_tls12(SSL_CTX *ctx) { return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
