import Glibc
import JSONValue
import Testing
@testable import YAMLLoader

@Suite struct ErrorTests {
    @Test func errorDescriptionFormat() {
        let error = YAMLError(file: "a.yaml", position: SourcePosition(line: 3, column: 7), message: "boom")
        #expect(error.description == "a.yaml:3:7: boom")
    }

    @Test func syntaxErrorsCarryLibyamlWording() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load("a: 1\nb: c: d\n", file: "x.yaml") }
        #expect(error.description == "x.yaml:2:5: mapping values are not allowed in this context")
        let nested = try #require(throws: YAMLError.self) { try YAML.load("a:\n  b: 1\n c: 2\n", file: "y.yaml") }
        #expect(nested.description == "y.yaml:3:2: did not find expected key (while parsing a block mapping at line 1, column 1)")
        let flow = try #require(throws: YAMLError.self) { try YAML.load("a: [1, 2\n") }
        #expect(flow.message.contains("while parsing a flow sequence"))
        #expect(flow.file == "<input>")
    }

    @Test func duplicateKeys() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load("a: 1\nb:\n  c: 1\n  c: 2\n", file: "d.yaml") }
        #expect(error.description == "d.yaml:4:3: duplicate key \"c\" (first at line 3)")
        // Keys are compared by their JSON spelling.
        let typed = try #require(throws: YAMLError.self) { try YAML.load("1: a\n\"1\": b\n") }
        #expect(typed.message == "duplicate key \"1\" (first at line 1)")
        let bools = try #require(throws: YAMLError.self) { try YAML.load("!!bool yes: a\ntrue: b\n") }
        #expect(bools.position == SourcePosition(line: 2, column: 1))
        #expect(try YAML.load("yes: a\ntrue: b\n").first?.value == ["yes": "a", "true": "b"])
    }

    @Test func complexKeysAreRejected() throws {
        let mapKey = try #require(throws: YAMLError.self) { try YAML.load("? {a: 1}\n: v\n") }
        #expect(mapKey.position == SourcePosition(line: 1, column: 3))
        #expect(mapKey.message.contains("cannot be a mapping key"))
        let seqKey = try #require(throws: YAMLError.self) { try YAML.load("x:\n  [1, 2]: v\n") }
        #expect(seqKey.position == SourcePosition(line: 2, column: 3))
        let aliasKey = try #require(throws: YAMLError.self) { try YAML.load("a: &m {k: 1}\n*m : v\n") }
        #expect(aliasKey.position == SourcePosition(line: 2, column: 1))
        let nullKey = try #require(throws: YAMLError.self) { try YAML.load("n: &n ~\n*n : v\n") }
        #expect(nullKey.message.contains("null mapping key"))
        #expect(nullKey.position == SourcePosition(line: 2, column: 1))
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000)
        let error = try #require(throws: YAMLError.self) { try YAML.load(deep) }
        #expect(error.message.contains("nest deeper than"))
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try YAML.load(ok).count == 1)
    }

    @Test func unreadableFiles() throws {
        let missing = try #require(throws: YAMLError.self) { try YAML.loadFile(atPath: "/nonexistent/dir/op.yaml") }
        #expect(missing.description == "/nonexistent/dir/op.yaml:1:1: cannot open the file: No such file or directory")
        let directory = try #require(throws: YAMLError.self) { try YAML.loadFile(atPath: "/tmp") }
        #expect(directory.message.contains("Is a directory"))
    }

    @Test func invalidUTF8IsReportedWhereItIs() throws {
        let path = "/tmp/yaml-loader-bad-\(UInt64.random(in: 0...UInt64.max)).yaml"
        let handle = try #require(fopenForTest(path))
        let bytes: [UInt8] = Array("a: 1\nb: x".utf8) + [0xFF, 0x0A]
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, handle) }
        fclose(handle)
        defer { remove(path) }
        let error = try #require(throws: YAMLError.self) { try YAML.loadFile(atPath: path) }
        #expect(error.position == SourcePosition(line: 2, column: 5))
        #expect(error.message.contains("UTF-8"))
    }

    @Test func controlCharactersAreRejected() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.load("a: b\u{1}c\n") }
        #expect(error.position == SourcePosition(line: 1, column: 5))
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("ab: -[]{},&*!|>'\"#%@`?\n\t\r ~.0123<<\\x\u{FEFF}é".unicodeScalars)
        for round in 0..<3000 {
            let length = Int(rng.next() % 64)
            var text = ""
            for _ in 0..<length {
                if round % 2 == 0 {
                    text.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
                } else {
                    text.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: rng.next() % 128)))
                }
            }
            do {
                let docs = try YAML.load(text)
                for doc in docs { _ = doc.node(at: []) }
            } catch let error as YAMLError {
                #expect(error.position.line >= 1)
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }

    @Test func randomRawBytesNeverCrash() throws {
        var rng = SplitMix64(seed: 7)
        for i in 0..<300 {
            let path = "/tmp/yaml-loader-fuzz-\(i)-\(rng.next()).yaml"
            let handle = try #require(fopenForTest(path))
            let bytes = (0..<Int(rng.next() % 48)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, handle) }
            fclose(handle)
            defer { remove(path) }
            do {
                _ = try YAML.loadFile(atPath: path)
            } catch let error as YAMLError {
                #expect(error.file == path)
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }
}
