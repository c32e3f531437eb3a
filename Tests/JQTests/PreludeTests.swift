import JSONValue
import Testing

@testable import JQ

@Suite struct PreludeTests {
    @Test(arguments: [
        ("a.b.example.co.uk", "example.co.uk"),
        ("x.github.io", "x.github.io"),
        ("*.example.com", "example.com"),
        ("EXAMPLE.COM.", "example.com"),
        ("www.Example.com", "example.com"),
        ("bücher.example.de", "example.de"),
        ("www.bücher.de", "bücher.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("shop.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("a.公司.cn", "a.公司.cn"),
    ])
    func registeredDomain(_ name: String, _ expected: String) {
        #expect(JQ.registeredDomain(name) == expected)
    }

    @Test(arguments: ["github.io", "co.uk", "com", "localhost", "192.168.1.1", "1.1", "::1", "", ".", "a..b.com", "公司.cn", "host name.com"])
    func noRegisteredDomain(_ name: String) {
        #expect(JQ.registeredDomain(name) == nil)
    }

    @Test func registeredDomainInJq() async throws {
        let program = try JQProgram(expressions: [
            "registered_domain",
            "map(registered_domain)",
            "group_by(registered_domain) | map(length)",
            "[.[] | [registered_domain, (registered_domain | registered_domain)]]",
            "try (1 | registered_domain) catch (\"caught: \" + .)",
            "[.[] | registered_domain] | unique",
        ])
        let pool = JQPool(program: program, maxWorkers: 1)
        let names: JSON = ["a.example.com", "github.io", "b.example.com", "x.example.org"]
        #expect(try await pool.evaluateFirst(0, input: "api.example.co.uk") == "example.co.uk")
        #expect(try await pool.evaluateFirst(0, input: .null) == .null)
        #expect(try await pool.evaluateFirst(1, input: names) == ["example.com", .null, "example.com", "example.org"])
        #expect(try await pool.evaluateFirst(2, input: names) == [1, 2, 1])
        #expect(try await pool.evaluateFirst(3, input: ["a.example.com"]) == [["example.com", "example.com"]])
        let caught = try await pool.evaluateFirst(4, input: .null)
        #expect(caught.string?.hasPrefix("caught: registered_domain needs a string") == true, "\(caught)")
        #expect(try await pool.evaluateFirst(5, input: names) == [.null, "example.com", "example.org"])
    }

    @Test func dnsLabel() {
        #expect(JQ.dnsLabel("my-app") == "my-app")
        #expect(JQ.dnsLabel("My_App.v2") == "my-app-v2")
        #expect(JQ.dnsLabel("--x--") == "x")
        #expect(JQ.dnsLabel("a  b") == "a-b")
        let long = String(repeating: "a", count: 100)
        let cut = JQ.dnsLabel(long)
        #expect(cut.utf8.count == 63)
        #expect(cut.hasPrefix(String(repeating: "a", count: 54) + "-"))
        #expect(JQ.dnsLabel(long + "x") != cut)
        #expect(JQ.dnsLabel(String(repeating: "a", count: 63)) == String(repeating: "a", count: 63))
        for input in ["", "ü", "___", "-", long, "Ä" + long, "9lives", "a.b.c", String(repeating: "ab-", count: 40)] {
            let label = JQ.dnsLabel(input)
            #expect(isLabel(label), "\(input) -> \(label)")
        }
        #expect(JQ.dnsLabel("") != JQ.dnsLabel("ü"))
    }

    @Test func dnsSubdomain() {
        #expect(JQ.dnsSubdomain("Foo.Bar_baz.com") == "foo.bar-baz.com")
        #expect(JQ.dnsSubdomain("a..b.") == "a.b")
        let long = String(repeating: "abc.", count: 80)
        let cut = JQ.dnsSubdomain(long)
        #expect(cut.utf8.count <= 253)
        #expect(cut.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel(String($0)) })
        #expect(isLabel(JQ.dnsSubdomain("...")))
    }

    @Test func helpersInJq() async throws {
        let program = try JQProgram(expressions: ["dns_label", "dns_subdomain", "sha256", "b64enc", "b64dec", "debug | . + 1"])
        let pool = JQPool(program: program)
        #expect(try await pool.evaluateFirst(0, input: "Backup Job #1") == "backup-job-1")
        #expect(try await pool.evaluateFirst(1, input: "My.Service") == "my.service")
        #expect(try await pool.evaluateFirst(2, input: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try await pool.evaluateFirst(3, input: "hello") == "aGVsbG8=")
        #expect(try await pool.evaluateFirst(4, input: "aGVsbG8=") == "hello")
        #expect(try await pool.evaluateFirst(5, input: 1) == .int(2))
        await #expect(throws: JQEvaluationError.self) { try await pool.evaluate(0, input: 5) }
    }

    @Test func sha256Vectors() {
        #expect(SHA256.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    private func isLabel(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }
        return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
