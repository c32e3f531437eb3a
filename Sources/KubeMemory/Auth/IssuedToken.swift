/// A ServiceAccount token handed out by the TokenRequest API, as the server remembers it.
struct IssuedToken: Sendable {
    var namespace: String
    var serviceAccount: String
    /// The ServiceAccount's uid when the token was issued: a recreated account does not
    /// inherit the tokens of the one before, as with bound tokens in kube.
    var serviceAccountUID: String
    var audiences: [String]
    /// Seconds since the epoch.
    var expires: Int

    var context: RequestContext { .serviceAccount(namespace: namespace, name: serviceAccount) }
}
