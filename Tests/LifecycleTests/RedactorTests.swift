import JSONValue
import Testing

@testable import Lifecycle

/// What the redactor treats as secret, and the forms a secret takes in messages.
@Suite struct RedactorTests {
    @Test(arguments: [
        "password", "dbPassword", "admin-passwd", "pwd", "rootPwd", "passphrase", "secret", "clientSecret", "token",
        "apiToken", "credentials", "apiKey", "accessKey", "secretKey", "secret_access_key", "privateKey", "sshKey", "tls.key",
        "authorization", "auth", "bearer", "cookie", "connectionString", "dsn", "pin", "sessionKey", "signingKey",
    ])
    func keysThatNameSecrets(_ key: String) {
        #expect(Redactor.isSecretKey(key))
    }

    @Test(arguments: ["name", "image", "database", "storage_size", "replicas", "domains", "managed", "namespace", "keys"])
    func keysThatDoNot(_ key: String) {
        #expect(!Redactor.isSecretKey(key))
    }

    @Test func secretsInTheirTravellingForms() {
        let object: JSON = ["spec": [
            "password": "Quo\"te-\\back", "accessKey": "AKIAEXAMPLE", "nested": ["pwd": "s3cr3t/+ x"], "database": "orders",
        ]]
        let r = Redactor(object: object, old: nil)
        // As written, JSON-escaped (inside an error body), percent-encoded (in a URL).
        #expect(r.redact("login with Quo\"te-\\back failed") == "login with *** failed")
        #expect(r.redact(#"spec.password: Invalid value: "Quo\"te-\\back""#) == #"spec.password: Invalid value: "***""#)
        #expect(r.redact(#"{"message":"bad value \"Quo\\\"te-\\\\back\""}"#) == #"{"message":"bad value \"***\""}"#)
        #expect(r.redact("POST /exec?command=mysql&command=-ps3cr3t%2F%2B%20x") == "POST /exec?command=mysql&command=-p***")
        #expect(r.redact("key AKIAEXAMPLE used") == "key *** used")
        #expect(r.redact("database orders") == "database orders")
        // Inside JSON values (step outputs kept in status).
        let output: JSON = ["stdout": "password is s3cr3t/+ x", "list": ["AKIAEXAMPLE"]]
        #expect(r.redact(output) == ["stdout": "password is ***", "list": ["***"]])
    }

    @Test func previousValuesAreSecretToo() {
        let r = Redactor(object: ["spec": ["password": "new-one"]], old: ["spec": ["password": "old-one"]])
        #expect(r.redact("mysqladmin -pold-one password new-one") == "mysqladmin -p*** password ***")
    }

    @Test func shortSecretsAreRedactedWhereTheyStandAlone() {
        let r = Redactor(object: ["spec": ["password": "ab", "pin": "7"]], old: nil)
        #expect(r.redact("mysqladmin -pab password ab") == "mysqladmin -p*** password ***")
        #expect(r.redact("pin=7 in about a tab") == "pin=*** in about a tab")
        #expect(r.redact("handler absent ran 17 times") == "handler absent ran 17 times")
    }
}
