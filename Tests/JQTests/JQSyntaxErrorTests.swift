import JSONValue
import Testing

@testable import JQ

@Suite struct JQSyntaxErrorTests {
    @Test func validExpressionsPass() {
        #expect(JQ.check(".metadata.name") == nil)
        #expect(JQ.check("$old.spec != $new.spec and ($steps.restore.ok // false)") == nil)
        #expect(JQ.check(".x | registered_domain, dns_label, dns_subdomain, sha256, b64enc, b64dec") == nil)
        #expect(JQ.check("\"a \\(.b | \"(nested)\") c\" # a comment ) ] }") == nil)
        #expect(JQ.check("$x + 1", variables: ["x"]) == nil)
    }

    @Test func unbalancedBracketsAreFoundBeforeLibjq() {
        #expect(JQ.check(".a | foo(") == JQSyntaxError(message: "syntax error: '(' is never closed", offset: 8))
        #expect(JQ.check("1), (2")?.offset == 1)
        #expect(JQ.check("1), (2")?.message == "syntax error: unmatched ')'")
        #expect(JQ.check("[1, 2)")?.offset == 5)
        #expect(JQ.check("\"abc")?.message == "syntax error: unterminated string")
        #expect(JQ.check("\"abc")?.offset == 0)
        #expect(JQ.check("\"x \\(.a\"")?.offset == 7)
        #expect(JQ.check("\"x \\(.a")?.offset == 3)
    }

    @Test func libjqErrorsAreMappedIntoTheExpression() throws {
        let undefined = try #require(JQ.check(".a | foo"))
        #expect(undefined.message == "foo/0 is not defined")
        #expect(undefined.offset == 5)

        let multiline = try #require(JQ.check(".a |\n  nope"))
        #expect(multiline.message == "nope/0 is not defined")
        #expect(multiline.offset == 7)

        let variable = try #require(JQ.check("1 + $nope"))
        #expect(variable.message == "$nope is not defined")
        #expect(variable.offset == 4)

        let custom = try #require(JQ.check("$old", variables: ["x"]))
        #expect(custom.message == "$old is not defined")
    }

    @Test func anExpressionEndingTooEarlyPointsAtItsEnd() throws {
        let error = try #require(JQ.check(".a |"))
        #expect(error.message.contains("unexpected end of expression"))
        #expect(error.offset == 4)
        let open = try #require(JQ.check("if . then 1"))
        #expect(open.offset == 11)
        #expect(!open.message.contains("Unix shell"))
    }

    @Test func messagesDoNotShowTheWrapper() throws {
        for expression in [".a |", ".a | nope", "1 +", "$zz", ". as", "{a:}", "..a"] {
            let error = try #require(JQ.check(expression), "\(expression) should not compile")
            #expect(!error.message.contains("__yopf"), "\(error.message)")
            #expect(!error.message.contains("top-level"), "\(error.message)")
            #expect(!error.message.hasPrefix("jq: "), "\(error.message)")
            let offset = try #require(error.offset, "\(expression): \(error.message)")
            #expect(offset >= 0 && offset <= expression.utf8.count)
        }
    }

    @Test func aProgramReportsEveryFailingExpressionByIndex() throws {
        let expressions = ["1", ".a | nope", "2", "$zz", "(3", ". as"]
        #expect {
            try JQProgram(expressions: expressions)
        } throws: { error in
            guard let error = error as? JQProgramError else { return false }
            return error.errors.map(\.index) == [1, 3, 4, 5]
                && error.errors[0].error == JQSyntaxError(message: "nope/0 is not defined", offset: 5)
                && error.errors[1].error.offset == 0
                && error.errors[2].error.offset == 0
        }
    }

    @Test func aCommentCannotSwallowTheWrapper() async throws {
        let program = try JQProgram(expressions: [".a # take a", ".b"])
        let pool = JQPool(program: program)
        #expect(try await pool.evaluateFirst(0, input: ["a": 1, "b": 2]) == .int(1))
        #expect(try await pool.evaluateFirst(1, input: ["a": 1, "b": 2]) == .int(2))
    }
}
